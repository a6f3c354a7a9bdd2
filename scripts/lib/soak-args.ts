/** `scripts/soak.ts` flags: --minutes N [--seed S] [--concurrency C] [--serve] [--log PATH]. */
export interface SoakArgs {
  minutes: number;
  seed: number;
  concurrency: number;
  serve: boolean;
  log?: string;
}

export function parseSoakArgs(argv: readonly string[]): SoakArgs {
  const args: SoakArgs = { minutes: 10, seed: 1, concurrency: 16, serve: false };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${flag}: expected a value`);
      return v;
    };
    const number = (min: number, integer: boolean) => {
      const text = value();
      const n = Number(text);
      if (!Number.isFinite(n) || n < min || (integer && !Number.isInteger(n))) throw new Error(`${flag}: expected ${integer ? 'an integer' : 'a number'} >= ${min}, got "${text}"`);
      return n;
    };
    if (flag === '--') continue;
    else if (flag === '--minutes') args.minutes = number(0.05, false);
    else if (flag === '--seed') args.seed = number(0, true);
    else if (flag === '--concurrency') args.concurrency = number(1, true);
    else if (flag === '--serve') args.serve = true;
    else if (flag === '--log') args.log = value();
    else throw new Error(`unknown flag ${flag} (use --minutes N [--seed S] [--concurrency C] [--serve] [--log PATH])`);
  }
  return args;
}
