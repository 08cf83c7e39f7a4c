// Placeholder until the pipeline issue lands: the real handler replaces this file.
export const handler = async (): Promise<void> => {
  throw new Error('split handler not implemented yet');
};
