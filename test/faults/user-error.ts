import { expect } from 'vitest';
import { isUserError, type UserError } from '../../source/core/errors.js';

/** The error `fn` throws: a UserError whose message is one line. */
export async function userError(fn: () => unknown): Promise<string> {
  try {
    await fn();
  } catch (error) {
    expect(isUserError(error), `expected a UserError, got ${String(error)}`).toBe(true);
    const message = (error as UserError).message;
    expect(message.split('\n')).toHaveLength(1);
    return message;
  }
  throw new Error('expected it to throw');
}
