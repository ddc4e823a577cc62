/**
 * NATS subject filters, as a bundle's triggers declare them: tokens split on
 * `.`, `*` matches one token, `>` (last only) one or more.
 */
export function isSubjectFilter(filter: string): boolean {
  if (filter.length === 0 || filter.length > 256 || /\s/.test(filter)) return false;
  const tokens = filter.split('.');
  return tokens.every((token, i) => token.length > 0 && (token === '>' ? i === tokens.length - 1 : !/[*>]/.test(token) || token === '*'));
}

export function subjectMatches(filter: string, subject: string): boolean {
  const want = filter.split('.');
  const have = subject.split('.');
  for (let i = 0; i < want.length; i++) {
    const token = want[i];
    if (token === '>') return have.length > i;
    if (i >= have.length || (token !== '*' && token !== have[i])) return false;
  }
  return want.length === have.length;
}
