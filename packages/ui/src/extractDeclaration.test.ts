import { describe, expect, it } from 'vitest';
import { extractDeclaration } from './extractDeclaration.js';

// A module in the style of packages/core, with the traps a naive brace counter falls into:
// braces in strings, templates, comments and regular expressions, object-literal return types.
const source = `/**
 * Media helpers.
 */
import { WorkbenchError } from './errors.js';

export const CONSTRAINT_PRESETS = [
  { id: 'default', label: 'Default', constraints: { video: true } },
  { id: 'hd', label: 'HD (min 1280×720)', constraints: { video: { width: { min: 1280 } } } },
] as const;

/**
 * Asks for the camera.
 * Braces in comments do not count: }}}
 */
export async function getMedia(constraints: MediaStreamConstraints): Promise<MediaStream> {
  if (!navigator.mediaDevices) {
    throw new WorkbenchError('INSECURE_ORIGIN', \`no mediaDevices on \${location.origin} {\`);
  }
  const closing = '}'; // a brace in a string: }
  const pattern = /[{}]+/g;
  void closing;
  void pattern;
  return navigator.mediaDevices.getUserMedia(constraints);
}

// Stops every track.
export function stopStream(stream: MediaStream | null | undefined): void {
  for (const track of stream?.getTracks() ?? []) track.stop();
}

export function describeTrack(track: MediaStreamTrack): { label: string; width?: number } {
  const nested = \`\${track.label} \${\`inner \${track.kind} }\`} {\`;
  void nested;
  return { label: track.label, width: track.getSettings().width };
}

export type Facing = 'user' | 'environment';

export class CameraSession extends EventTarget {
  #stream: MediaStream | null = null;
  readonly name: string;

  constructor(name: string) {
    super();
    this.name = name;
  }

  /** Closes the session. */
  close(): void {
    stopStream(this.#stream);
  }

  async restart(): Promise<void> {
    this.close();
    this.#stream = await getMedia({ video: true });
  }
}

export function last(): number {
  return 1 / 2 / 3;
}
`;

describe('extractDeclaration', () => {
  it('cuts out a function with its doc comment, ignoring braces in strings, templates, comments and regexps', () => {
    const found = extractDeclaration(source, 'getMedia');
    expect(found).not.toBeNull();
    expect(found?.text.startsWith('/**\n * Asks for the camera.')).toBe(true);
    expect(found?.text.endsWith('  return navigator.mediaDevices.getUserMedia(constraints);\n}')).toBe(true);
    expect(found?.text).not.toContain('stopStream');
    expect(found?.startLine).toBe(11);
    expect(found?.endLine).toBe(24);
    expect(source.split('\n').slice(10, 24).join('\n')).toBe(found?.text);
  });

  it('includes a line comment above and stops at the end of a one-line body', () => {
    expect(extractDeclaration(source, 'stopStream')?.text).toBe(
      '// Stops every track.\nexport function stopStream(stream: MediaStream | null | undefined): void {\n' +
        '  for (const track of stream?.getTracks() ?? []) track.stop();\n}',
    );
  });

  it('does not end at the closing brace of an object-literal return type, nor inside nested templates', () => {
    const text = extractDeclaration(source, 'describeTrack')?.text ?? '';
    expect(text.split('\n')).toHaveLength(5);
    expect(text.endsWith('  return { label: track.label, width: track.getSettings().width };\n}')).toBe(true);
  });

  it('takes a const to its semicolon and a type alias to its semicolon', () => {
    const presets = extractDeclaration(source, 'CONSTRAINT_PRESETS')?.text ?? '';
    expect(presets.startsWith('export const CONSTRAINT_PRESETS = [')).toBe(true);
    expect(presets.endsWith('] as const;')).toBe(true);
    expect(extractDeclaration(source, 'Facing')?.text).toBe("export type Facing = 'user' | 'environment';");
  });

  it('finds a whole class and a method inside it, dedented, with its doc comment', () => {
    const cls = extractDeclaration(source, 'CameraSession')?.text ?? '';
    expect(cls.startsWith('export class CameraSession extends EventTarget {')).toBe(true);
    expect(cls.endsWith('    this.#stream = await getMedia({ video: true });\n  }\n}')).toBe(true);

    const close = extractDeclaration(source, 'CameraSession.close');
    expect(close?.name).toBe('CameraSession.close');
    expect(close?.text).toBe('/** Closes the session. */\nclose(): void {\n  stopStream(this.#stream);\n}');
    // `this.close();` inside restart() is a call, not the definition.
    expect(extractDeclaration(source, 'CameraSession.restart')?.text).toBe(
      'async restart(): Promise<void> {\n  this.close();\n  this.#stream = await getMedia({ video: true });\n}',
    );
    expect(extractDeclaration(source, 'CameraSession.name')?.text).toBe('readonly name: string;');
  });

  it('treats a slash after a value as division, not the start of a regexp', () => {
    expect(extractDeclaration(source, 'last')?.text).toBe('export function last(): number {\n  return 1 / 2 / 3;\n}');
  });

  it('returns null for a name that is not declared (a mention or a call is not a declaration)', () => {
    expect(extractDeclaration(source, 'getUserMedia')).toBeNull();
    expect(extractDeclaration(source, 'getMed')).toBeNull();
    expect(extractDeclaration(source, 'CameraSession.missing')).toBeNull();
    expect(extractDeclaration(source, 'stopStream.close')).toBeNull();
    expect(extractDeclaration(source, '')).toBeNull();
  });
});
