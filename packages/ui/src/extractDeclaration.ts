/**
 * Cuts one named declaration (with its doc comment) out of a TypeScript source file, so a page
 * can show the real code of the core function it runs — imported with Vite's `?raw`, never
 * copied — without dumping the whole module on the learner.
 *
 * It is a small scanner, not a TypeScript parser: it finds a top-level declaration by its line,
 * then walks the text skipping strings, template literals, comments and regular expressions, so
 * braces inside them do not end the declaration early. That is enough for the house style of
 * `packages/core`; anything it cannot find returns `null` and the panel shows the whole file.
 */

export interface ExtractedDeclaration {
  name: string;
  /** The declaration's text, including the doc comment and decorators directly above it. */
  text: string;
  /** 1-based line numbers in the original file, for "lines 12–40" labels. */
  startLine: number;
  endLine: number;
}

const DECLARATION_KEYWORDS =
  String.raw`(?:export\s+)?(?:default\s+)?(?:declare\s+)?(?:abstract\s+)?(?:async\s+)?` +
  String.raw`(function|class|interface|enum|type|const|let|var)(?:\s*\*\s*|\s+)`;

/**
 * Finds `name` in `source`. `name` is a top-level declaration (`getMedia`, `PeerTransport`) or a
 * class member as `Class.member` (`PeerTransport.close`).
 */
export function extractDeclaration(source: string, name: string): ExtractedDeclaration | null {
  const [outer, member] = name.split('.', 2);
  if (!outer) return null;
  const top = findTopLevel(source, outer);
  if (!top || !member) return top ? { ...top, name } : null;
  const inner = findMember(source, top, member);
  return inner ? { ...inner, name } : null;
}

interface Span {
  start: number;
  end: number;
}

function findTopLevel(source: string, name: string): ExtractedDeclaration | null {
  const pattern = new RegExp(String.raw`^${DECLARATION_KEYWORDS}${escapeRegExp(name)}(?![\w$])`, 'm');
  const match = pattern.exec(source);
  if (!match) return null;
  const keyword = match[1];
  const start = match.index;
  const end =
    keyword === 'const' || keyword === 'let' || keyword === 'var' || keyword === 'type'
      ? statementEnd(source, start)
      : blockEnd(source, start);
  return spanToDeclaration(source, name, { start: leadingCommentStart(source, start), end });
}

/** A method, getter, setter or field inside the class found as `owner`. */
function findMember(source: string, owner: ExtractedDeclaration, member: string): ExtractedDeclaration | null {
  const ownerStart = lineOffset(source, owner.startLine);
  const ownerEnd = lineOffset(source, owner.endLine + 1);
  const body = source.slice(0, ownerEnd);
  // Only lines at the class's member indentation, so a call `close();` inside another method's
  // body is not mistaken for the definition of `close`.
  const classLine = new RegExp(String.raw`\bclass\s+${escapeRegExp(owner.name)}(?![\w$])`, 'g');
  classLine.lastIndex = ownerStart;
  const classMatch = classLine.exec(body);
  if (!classMatch) return null;
  const bodyStart = source.indexOf('{', classMatch.index);
  const indent = /\n([ \t]+)(?=\S)/.exec(source.slice(bodyStart, ownerEnd))?.[1];
  if (bodyStart === -1 || indent === undefined) return null;
  const modifiers = String.raw`(?:(?:public|private|protected|static|readonly|override|abstract|async|get|set)\s+)*`;
  const pattern = new RegExp(String.raw`^${indent}${modifiers}\*?${escapeRegExp(member)}\s*[(<:=;!?]`, 'gm');
  pattern.lastIndex = bodyStart;
  const match = pattern.exec(body);
  if (!match) return null;
  const start = match.index + indent.length;
  const lineStart = match.index;
  const isMethod = /[(<]$/.test(match[0]);
  const end = isMethod ? blockEnd(source, start) : statementEnd(source, start);
  return spanToDeclaration(source, member, { start: leadingCommentStart(source, lineStart), end });
}

function spanToDeclaration(source: string, name: string, span: Span): ExtractedDeclaration {
  const text = dedent(source.slice(span.start, span.end));
  const startLine = lineNumberAt(source, span.start);
  return { name, text, startLine, endLine: startLine + text.split('\n').length - 1 };
}

/**
 * End of a function/class/interface/enum: the first `}` back at depth 0 that is not followed by
 * something that continues the signature (`{` after a return-type literal, `>` closing a generic,
 * `|`/`&` in a union, `[` for an array type).
 */
function blockEnd(source: string, start: number): number {
  let end = source.length;
  scan(source, start, (char, index, depth) => {
    if (char !== '}' || depth !== 0) return false;
    const next = nextSignificant(source, index + 1);
    if (next !== undefined && '{>|&[,)'.includes(next)) return false;
    end = index + 1;
    return true;
  });
  return end;
}

/** End of a `const`/`type` statement: its `;` at depth 0, or a blank line when semicolons are omitted. */
function statementEnd(source: string, start: number): number {
  let end = source.length;
  scan(source, start, (char, index, depth) => {
    if (depth !== 0) return false;
    if (char === ';') {
      end = index + 1;
      return true;
    }
    if (char === '\n' && source[index + 1] === '\n') {
      end = index;
      return true;
    }
    return false;
  });
  return end;
}

/**
 * Walks code from `start`, calling `visit` for every character outside strings, comments and
 * regular expressions, with the bracket depth after that character. Stops when `visit` says so.
 */
function scan(source: string, start: number, visit: (char: string, index: number, depth: number) => boolean): void {
  let depth = 0;
  // Each open `${` of a template literal remembers the depth it must close back to.
  const templateDepths: number[] = [];
  let lastSignificant = '';
  let i = start;
  while (i < source.length) {
    const char = source[i] as string;
    const next = source[i + 1];
    if (char === '/' && next === '/') {
      i = indexOrEnd(source, '\n', i);
      continue;
    }
    if (char === '/' && next === '*') {
      i = indexOrEnd(source, '*/', i + 2) + 2;
      continue;
    }
    if (char === '"' || char === "'") {
      i = skipQuoted(source, i, char);
      lastSignificant = char;
      continue;
    }
    if (char === '`' || (char === '}' && templateDepths.at(-1) === depth)) {
      if (char === '}') templateDepths.pop();
      const resume = skipTemplate(source, i + 1);
      if (resume.openedExpression) templateDepths.push(depth);
      i = resume.index;
      lastSignificant = '`';
      continue;
    }
    if (char === '/' && regexMayStartAfter(lastSignificant)) {
      i = skipRegExp(source, i);
      lastSignificant = '/';
      continue;
    }
    if ('({['.includes(char)) depth++;
    else if (')}]'.includes(char)) depth--;
    if (visit(char, i, depth)) return;
    if (!/\s/.test(char)) lastSignificant = /[\w$]/.test(char) ? precedingWord(source, i) : char;
    i++;
  }
}

/** Returns the index just past the template literal text, or of a `${` it stops at. */
function skipTemplate(source: string, from: number): { index: number; openedExpression: boolean } {
  let i = from;
  while (i < source.length) {
    const char = source[i];
    if (char === '\\') i += 2;
    else if (char === '`') return { index: i + 1, openedExpression: false };
    else if (char === '$' && source[i + 1] === '{') return { index: i + 2, openedExpression: true };
    else i++;
  }
  return { index: i, openedExpression: false };
}

function skipQuoted(source: string, from: number, quote: string): number {
  let i = from + 1;
  while (i < source.length) {
    const char = source[i];
    if (char === '\\') i += 2;
    else if (char === quote || char === '\n') return i + 1;
    else i++;
  }
  return i;
}

function skipRegExp(source: string, from: number): number {
  let i = from + 1;
  let inClass = false;
  while (i < source.length) {
    const char = source[i];
    if (char === '\\') i += 2;
    else if (char === '\n') return i;
    else {
      if (char === '[') inClass = true;
      else if (char === ']') inClass = false;
      else if (char === '/' && !inClass) return i + 1;
      i++;
    }
  }
  return i;
}

/** A `/` starts a regular expression after an operator or keyword, and divides after a value. */
function regexMayStartAfter(previous: string): boolean {
  if (previous === '') return true;
  if (/^[\w$]+$/.test(previous)) return ['return', 'typeof', 'case', 'in', 'of', 'new', 'delete', 'void', 'throw'].includes(previous);
  return !')]}`"\''.includes(previous);
}

function precedingWord(source: string, end: number): string {
  let start = end;
  while (start > 0 && /[\w$]/.test(source[start - 1] as string)) start--;
  return source.slice(start, end + 1);
}

function nextSignificant(source: string, from: number): string | undefined {
  const match = /\S/.exec(source.slice(from, from + 200));
  return match?.[0];
}

/** Start of the doc comment, line comments and decorators directly above the line at `start`. */
function leadingCommentStart(source: string, start: number): number {
  const lines = source.slice(0, start).split('\n');
  // The last element is the text before `start` on its own line (indentation); keep it.
  let kept = lines.length - 1;
  let inBlock = false;
  for (let i = lines.length - 2; i >= 0; i--) {
    const line = (lines[i] as string).trim();
    if (inBlock) {
      if (line.startsWith('/*')) inBlock = false;
      kept = i;
      continue;
    }
    if (line.endsWith('*/')) {
      inBlock = !line.startsWith('/*');
      kept = i;
    } else if (line.startsWith('//') || line.startsWith('@')) {
      kept = i;
    } else {
      break;
    }
  }
  return lines.slice(0, kept).reduce((offset, line) => offset + line.length + 1, 0);
}

/** Removes the indentation every line shares, so a class member reads as if at top level. */
function dedent(text: string): string {
  const lines = text.split('\n');
  const indents = lines.filter((line) => line.trim() !== '').map((line) => /^[ \t]*/.exec(line)?.[0].length ?? 0);
  const common = indents.length > 0 ? Math.min(...indents) : 0;
  return lines.map((line) => line.slice(common)).join('\n').trimEnd();
}

function lineNumberAt(source: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) if (source[i] === '\n') line++;
  return line;
}

/** Offset of the start of 1-based `line` (or the end of the text past the last line). */
function lineOffset(source: string, line: number): number {
  let offset = 0;
  for (let current = 1; current < line; current++) {
    const newline = source.indexOf('\n', offset);
    if (newline === -1) return source.length;
    offset = newline + 1;
  }
  return offset;
}

function indexOrEnd(source: string, needle: string, from: number): number {
  const index = source.indexOf(needle, from);
  return index === -1 ? source.length : index;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
