/**
 * An operationId for a route that gives none: its method and path in camel case, parameters as
 * `By<Name>` — `GET /api/files/:id/info` → `getApiFilesByIdInfo`. Unique as long as routes are.
 */
export function operationIdOf(method: string | string[], url: string): string {
  const verb = (Array.isArray(method) ? method[0]! : method).toLowerCase();
  const words = url
    .split('/')
    .filter((part) => part !== '')
    .map((part) => (part.startsWith(':') || part.startsWith('{') ? `by-${part.replace(/[:{}]/g, '')}` : part))
    .flatMap((part) => part.split(/[^A-Za-z0-9]+/))
    .filter((word) => word !== '');
  return verb + words.map((word) => word[0]!.toUpperCase() + word.slice(1)).join('');
}
