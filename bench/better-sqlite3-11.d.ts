// better-sqlite3 11.3 under another name (for liteque): the same API as the better-sqlite3 types describe.
declare module 'better-sqlite3-11' {
  import Database from 'better-sqlite3';
  export default Database;
}
