/** Where jobs live: the config's `store`. */
export type StoreConfig =
  | { kind: 'sqlite'; path: string }
  | { kind: 'memory' }
  | { kind: 'postgres'; url: string; schema?: string; poolSize?: number };
