/**
 * Required literals of an RE2 pattern: strings of which every match contains
 * at least one (the idea behind Code Search's trigram index). The rule index
 * tests them before a path or an argument reaches `regex.match` in WASM.
 *
 * Only a safe subset of the syntax is read. Anything else (Unicode classes,
 * \Q…\E, flags past the start, counted repetition it cannot read) yields
 * `undefined`: no literal is known and the rule is always judged.
 */
export interface RequiredLiterals {
  /** One of these occurs in every match. */
  any: string[];
  /** The pattern starts with `(?i)`: literals are lower case and the subject is lowered before the test. */
  caseInsensitive: boolean;
}

type Node =
  | { t: 'lit'; ch: string }
  | { t: 'other' }
  | { t: 'seq'; items: Node[] }
  | { t: 'alt'; branches: Node[] }
  | { t: 'rep'; node: Node; min: number };

class Unsupported extends Error {}

export function requiredLiterals(pattern: string): RequiredLiterals | undefined {
  let source = pattern;
  let caseInsensitive = false;
  if (source.startsWith('(?i)')) {
    caseInsensitive = true;
    source = source.slice(4);
  }
  let tree: Node;
  try {
    tree = new Parser(source).parse();
  } catch (error) {
    if (error instanceof Unsupported) return undefined;
    throw error;
  }
  const found = literalsOf(tree);
  if (found === undefined || found.some((s) => s.length === 0)) return undefined;
  if (caseInsensitive) {
    // Case folding is only mirrored exactly for ASCII letters (see subjectFor).
    if (found.some((s) => /[^\x20-\x7e]/.test(s))) return undefined;
    return { any: [...new Set(found.map((s) => s.toLowerCase()))], caseInsensitive };
  }
  return { any: [...new Set(found)], caseInsensitive };
}

/**
 * The subject as the literals are tested against it. RE2's (?i) folds each
 * ASCII letter with its other case and, for k and s, with the Kelvin sign and
 * the long s; lowering in JS maps the first and not the second, so it is mapped here.
 */
export function subjectFor(value: string, literals: RequiredLiterals): string {
  return literals.caseInsensitive ? value.toLowerCase().replaceAll('\u017f', 's') : value;
}

/** The best OR-set of required substrings of a node, or undefined when none is known. */
function literalsOf(node: Node): string[] | undefined {
  switch (node.t) {
    case 'lit':
      return [node.ch];
    case 'other':
      return undefined;
    case 'rep':
      return node.min >= 1 ? literalsOf(node.node) : undefined;
    case 'alt': {
      const all: string[] = [];
      for (const branch of node.branches) {
        const found = literalsOf(branch);
        if (found === undefined) return undefined;
        all.push(...found);
      }
      return all;
    }
    case 'seq': {
      // Candidates: each maximal run of literal characters, and each child's own set.
      const candidates: string[][] = [];
      let run = '';
      const close = (): void => {
        if (run !== '') candidates.push([run]);
        run = '';
      };
      for (const item of node.items) {
        if (item.t === 'lit') {
          run += item.ch;
          continue;
        }
        close();
        const found = literalsOf(item);
        if (found !== undefined) candidates.push(found);
      }
      close();
      return best(candidates);
    }
  }
}

/** The set whose shortest member is longest: the most selective test. */
function best(candidates: string[][]): string[] | undefined {
  let chosen: string[] | undefined;
  let score = 0;
  for (const set of candidates) {
    const shortest = Math.min(...set.map((s) => s.length));
    if (shortest > score) {
      chosen = set;
      score = shortest;
    }
  }
  return chosen;
}

const ESCAPED_LITERAL = /[\\.+*?()|[\]{}^$\/\-#&~ !"%',:;<=>@`_]/;
const ESCAPED_CONTROL: Record<string, string> = { n: '\n', t: '\t', r: '\r', f: '\f', v: '\v', a: '\x07' };
const ESCAPED_CLASS = new Set(['d', 'D', 'w', 'W', 's', 'S']);
const ESCAPED_ANCHOR = new Set(['b', 'B', 'A', 'z']);

class Parser {
  private at = 0;
  constructor(private readonly source: string) {}

  parse(): Node {
    const node = this.alternation();
    if (this.at !== this.source.length) throw new Unsupported();
    return node;
  }

  private alternation(): Node {
    const branches = [this.sequence()];
    while (this.peek() === '|') {
      this.at++;
      branches.push(this.sequence());
    }
    return branches.length === 1 ? branches[0]! : { t: 'alt', branches };
  }

  private sequence(): Node {
    const items: Node[] = [];
    while (this.at < this.source.length && this.peek() !== '|' && this.peek() !== ')') {
      const atom = this.atom();
      items.push(this.quantified(atom));
    }
    return { t: 'seq', items };
  }

  private quantified(atom: Node): Node {
    const c = this.peek();
    let min: number | undefined;
    if (c === '*' || c === '?') min = 0;
    else if (c === '+') min = 1;
    else if (c === '{') {
      const match = /^\{(\d+)(,\d*)?\}/.exec(this.source.slice(this.at));
      if (!match) throw new Unsupported();
      this.at += match[0].length - 1;
      min = Number(match[1]);
    }
    if (min === undefined) return atom;
    this.at++;
    if (this.peek() === '?') this.at++;
    if ('*+?{'.includes(this.peek())) throw new Unsupported();
    return { t: 'rep', node: atom, min };
  }

  private atom(): Node {
    const c = this.source[this.at++]!;
    switch (c) {
      case '(': {
        if (this.peek() === '?') {
          if (this.source.startsWith('?:', this.at)) this.at += 2;
          else throw new Unsupported();
        }
        const inner = this.alternation();
        if (this.source[this.at++] !== ')') throw new Unsupported();
        return inner;
      }
      case '[':
        this.skipClass();
        return { t: 'other' };
      case '.':
      case '^':
      case '$':
        return { t: 'other' };
      case '\\':
        return this.escape();
      case '*':
      case '+':
      case '?':
      case '{':
      case ')':
        throw new Unsupported();
      default:
        return { t: 'lit', ch: c };
    }
  }

  private escape(): Node {
    const c = this.source[this.at++];
    if (c === undefined) throw new Unsupported();
    if (ESCAPED_CLASS.has(c) || ESCAPED_ANCHOR.has(c)) return { t: 'other' };
    const control = ESCAPED_CONTROL[c];
    if (control !== undefined) return { t: 'lit', ch: control };
    if (ESCAPED_LITERAL.test(c)) return { t: 'lit', ch: c };
    throw new Unsupported();
  }

  private skipClass(): void {
    if (this.peek() === '^') this.at++;
    if (this.peek() === ']') this.at++;
    while (this.at < this.source.length) {
      const c = this.source[this.at++];
      if (c === '\\') {
        this.at++;
        continue;
      }
      if (c === '[' && this.peek() === ':') {
        const end = this.source.indexOf(':]', this.at);
        if (end < 0) throw new Unsupported();
        this.at = end + 2;
        continue;
      }
      if (c === ']') return;
    }
    throw new Unsupported();
  }

  private peek(): string {
    return this.source[this.at] ?? '';
  }
}
