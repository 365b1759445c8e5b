const isDigit = (code: number) => code >= 0x30 && code <= 0x39;

/**
 * Whether text is a decimal number: `[+-]digits[.digits][(e|E)[+-]digits]`, with digits on at least
 * one side of the point. One pass over the text: a regular expression for it with nested
 * quantifiers backtracks quadratically on a long run of digits that ends wrong.
 */
export function isDecimalNumber(text: string): boolean {
  let index = 0;
  const digits = () => {
    const start = index;
    while (index < text.length && isDigit(text.charCodeAt(index))) index++;
    return index - start;
  };
  if (text[index] === '+' || text[index] === '-') index++;
  let mantissa = digits();
  if (text[index] === '.') {
    index++;
    mantissa += digits();
  }
  if (mantissa === 0) return false;
  if (text[index] === 'e' || text[index] === 'E') {
    index++;
    if (text[index] === '+' || text[index] === '-') index++;
    if (digits() === 0) return false;
  }
  return index === text.length;
}
