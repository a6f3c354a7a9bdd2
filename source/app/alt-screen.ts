/**
 * The live screen owns the terminal while it runs: it draws in the alternate screen
 * (like less, htop or k9s), so nothing printed before it (npm's banner, warnings) sits
 * above the frame, the frame never scrolls the user's history, and leaving restores the
 * terminal as it was. Leaving is idempotent and also runs on process exit, so an error
 * or a signal that ends the process does not strand the user in the alternate screen.
 */
export const ENTER_ALT_SCREEN = '\u001B[?1049h\u001B[H';
export const LEAVE_ALT_SCREEN = '\u001B[?1049l';

export interface AltScreen {
  leave(): void;
}

export function enterAltScreen(stdout: NodeJS.WriteStream, proc: Pick<NodeJS.Process, 'once' | 'off'> = process): AltScreen {
  let inside = true;
  stdout.write(ENTER_ALT_SCREEN);
  const leave = () => {
    if (!inside) return;
    inside = false;
    proc.off('exit', leave);
    stdout.write(LEAVE_ALT_SCREEN);
  };
  proc.once('exit', leave);
  return { leave };
}
