/** A config that cannot be used: names the file (when there is one) and every problem found. */
export class ConfigError extends Error {
  constructor(
    readonly file: string | undefined,
    readonly problems: string[],
  ) {
    super(
      `${file ? `invalid config in ${file}` : 'invalid config'}:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`,
    );
    this.name = 'ConfigError';
  }
}
