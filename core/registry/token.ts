/** A container token: a Symbol and the type it resolves to, declared beside that type (as Theia does). */
export type Token<T> = symbol & { readonly __type?: T };
