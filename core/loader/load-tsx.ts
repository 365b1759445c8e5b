/**
 * tsx's loader API, to load TypeScript (a config, a plugin, a task module) on plain Node. tsx is an
 * optional peer dependency: without it, the error says what needed it and how to get it.
 */
export async function loadTsx(what: string): Promise<typeof import('tsx/esm/api')> {
  try {
    return await import('tsx/esm/api');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ERR_MODULE_NOT_FOUND' || !/['"]tsx['"]/.test((error as Error).message)) throw error;
    throw new Error(
      `${what} is TypeScript, which Node cannot load by itself: install tsx beside remotetask (npm install --save-dev tsx), or compile it to JavaScript`,
    );
  }
}
