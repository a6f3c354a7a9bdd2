import { UserError } from '../errors.js';

const units: Record<string, number> = { '': 1, b: 1, kb: 1024, k: 1024, mb: 1024 ** 2, m: 1024 ** 2, gb: 1024 ** 3, g: 1024 ** 3 };

/** "1mb", "512kb", "2048" -> bytes (binary units, as body-size limits usually are). */
export function parseByteSize(text: string, what = 'size'): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  const factor = match ? units[match[2]!.toLowerCase()] : undefined;
  if (!match || factor === undefined || Number(match[1]) <= 0) {
    throw new UserError(`${what}: expected a size like 1mb, 512kb or 65536, got "${text}"`);
  }
  return Math.floor(Number(match[1]) * factor);
}
