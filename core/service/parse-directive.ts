/** An autostart directive split into its parts; `*` is a wildcard, `''` the root site. */
export interface Directive {
  site: string;
  service: string;
}

const NAME = /^(\*|[\w.-]+)$/;

/**
 * Parses `site@Service`, `@Service` (root site), `site@*`, `*@*` or `*@Service`, and says what a
 * directive looks like when it is not one.
 */
export function parseDirective(directive: string): Directive {
  const text = directive.trim();
  const parts = text.split('@');
  const help = 'write site@Service, @Service for the root site, or use * for every site or service (site@*, *@*, *@Service)';
  if (parts.length !== 2) {
    throw new Error(`"${directive}" is not an autostart directive: it needs exactly one "@"; ${help}`);
  }
  const [site, service] = parts as [string, string];
  if ((site !== '' && !NAME.test(site)) || !NAME.test(service)) {
    throw new Error(`"${directive}" is not an autostart directive: names may hold letters, digits, "_", "." and "-"; ${help}`);
  }
  return { site, service };
}
