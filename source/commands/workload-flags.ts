/**
 * The flags `duet run` and `duet sweep` share (the profile, the questions, telemetry and
 * the session log), declared once for meow; each command adds its own.
 */
export const workloadFlags = {
  profile: { type: 'string' },
  headless: { type: 'boolean' },
  json: { type: 'boolean' },
  seed: { type: 'string' },
  shuffle: { type: 'boolean' },
  warmup: { type: 'string' },
  dataset: { type: 'string' },
  promptMode: { type: 'string' },
  telemetry: { type: 'string' },
  log: { type: 'string' },
} as const;
