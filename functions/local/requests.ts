/**
 * Counts the requests the functions make, per `service:Command`, for the run's stats and the bench's
 * cost model.
 */
import type { AwsClients } from './resources.js';

type Countable = {
  middlewareStack: {
    add(
      middleware: (
        next: (args: unknown) => Promise<unknown>,
        context: { commandName?: string },
      ) => (args: unknown) => Promise<unknown>,
      options: { step: 'deserialize'; name: string },
    ): void;
  };
};

/** Counts requests per attempt (the deserialize step runs once per HTTP request, retries included). */
export function countRequests(clients: AwsClients, counts: Map<string, number>): void {
  for (const [service, client] of Object.entries(clients)) {
    (client as unknown as Countable).middlewareStack.add(
      (next, context) => async (args) => {
        const key = `${service}:${context.commandName?.replace(/Command$/, '') ?? 'unknown'}`;
        counts.set(key, (counts.get(key) ?? 0) + 1);
        return next(args);
      },
      { step: 'deserialize', name: 'scrub62323RequestCounter' },
    );
  }
}
