/**
 * The one error family. Every error the product raises on purpose is a ScrubError: a stable `code`
 * that logs, alarms and tests can rely on, and a message written by us that never holds claim data
 * (no member ids, names, dates of birth or record values), so it is always safe to log and to show.
 * Subclasses name the area (`name`) and may narrow the codes; they add no other meaning.
 */
export class ScrubError extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'ScrubError';
  }
}

export const isScrubError = (error: unknown): error is ScrubError => error instanceof ScrubError;
