/**
 * The one terminal sanitiser. Every string that comes from a dataset, a model, a server, a
 * log or a file name can carry escape sequences: OSC 52 writes the clipboard, OSC 0 sets
 * the window title, CSI moves the cursor over what duet drew. Before such a string reaches
 * a terminal (the live screen, headless lines, error messages), whole escape sequences
 * are removed, then every remaining C0/C1 control character and the bidirectional
 * overrides that reorder what is shown; printable Unicode (accents, CJK, emoji) is kept.
 */

// ESC-introduced sequences: OSC/DCS/SOS/PM/APC strings up to their terminator (BEL or ST)
// or the end of the text, CSI with its parameters and final byte, and two-byte escapes.
// The 8-bit C1 forms (0x9b CSI, 0x9d OSC, 0x90 DCS...) likewise.
const SEQUENCES =
  /(?:\u001b[\]PX^_]|[\u0090\u0098\u009d\u009e\u009f])[^\u0007\u001b\u009c]*(?:\u0007|\u001b\\|\u009c)?|(?:\u001b\[|\u009b)[\u0030-\u003f]*[\u0020-\u002f]*[\u0040-\u007e]?|\u001b[\u0020-\u002f]*[\u0030-\u007e]?/g;
// Controls left after that; \n and \t are handled apart (kept in multi-line text).
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

export interface SanitizeOptions {
  /** Keep line breaks and tabs (error messages with a log tail, whole reports); default false: each becomes a space. */
  multiline?: boolean;
}

/** `text` safe to print on a terminal. */
export function terminalSafe(text: string, options: SanitizeOptions = {}): string {
  if (!UNSAFE.test(text)) return text;
  const stripped = text.replace(SEQUENCES, '').replace(/\r\n/g, '\n');
  const controlled = stripped.replace(CONTROLS, '');
  return options.multiline ? controlled : controlled.replace(/[\n\t]/g, ' ');
}

/**
 * A value with every string in it made terminal-safe (single-line), sharing every part
 * that needed no change, so that a clean snapshot comes back as the very same object.
 */
export function terminalSafeDeep<T>(value: T): T {
  return safeValue(value) as T;
}

function safeValue(value: unknown): unknown {
  if (typeof value === 'string') return terminalSafe(value);
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (typeof item === 'number') continue;
      const safe = safeValue(item);
      if (safe !== item) (out ??= value.slice())[i] = safe;
    }
    return out ?? value;
  }
  if (Object.getPrototypeOf(value) !== Object.prototype) return value;
  let out: Record<string, unknown> | undefined;
  for (const [key, item] of Object.entries(value)) {
    if (typeof item === 'number' || typeof item === 'boolean') continue;
    const safe = safeValue(item);
    if (safe !== item) (out ??= { ...(value as Record<string, unknown>) })[key] = safe;
  }
  return out ?? value;
}
