import { dirname } from 'node:path';
import type { Clock } from '../clock.js';
import type { Engine, EngineInfo, EngineLoad, GenerateRequest, GenerateResult, ModelSlot, TokenEvent } from '../engines/engine.js';
import type { ServerState } from '../events.js';
import type { ServerIdentity } from '../launch/identity.js';
import type { LaunchedServer } from '../launch/launcher.js';
import type { LaunchProfile } from '../profile/schema.js';
import { HeldEvents } from './held-events.js';

/** Server state changes as run events (a server starts before run-start: held until the run connects). */
export class ServerStateRelay extends HeldEvents {
  report(model: ModelSlot, state: ServerState, detail?: string): void {
    this.send({ type: 'server', t: this.clock.now(), model, state, ...(detail === undefined ? {} : { detail }) });
  }
}

/** An engine whose server duet starts first (profile `launch`) and stops after it. */
export function servedEngine(
  engine: Engine,
  launch: LaunchProfile,
  options: { slot: ModelSlot; name: string; logDir: string; profilePath: string; clock: Clock; relay: ServerStateRelay; identity?: ServerIdentity },
): Engine {
  let server: LaunchedServer | undefined;
  return {
    ...(engine.sendsOnSchedule ? { sendsOnSchedule: true } : {}),
    info: (): EngineInfo => engine.info(),
    load: (): EngineLoad => engine.load(),
    generate: (request: GenerateRequest, onToken?: (token: TokenEvent) => void): Promise<GenerateResult> => engine.generate(request, onToken),
    async start() {
      const { launchServer } = await import('../launch/launcher.js');
      server = await launchServer(launch, {
        name: options.name,
        logDir: options.logDir,
        baseDir: dirname(options.profilePath),
        clock: options.clock,
        onState: (state, detail) => options.relay.report(options.slot, state, detail),
        ...(options.identity ? { identity: options.identity } : {}),
      });
      await engine.start();
    },
    async stop() {
      try {
        await engine.stop();
      } finally {
        await server?.stop();
      }
    },
  };
}
