/** A deployed resource the engine refuses, with every problem found in it (nothing of it is deployed). */
export class ModelError extends Error {
  constructor(
    readonly resourceName: string,
    readonly problems: string[],
  ) {
    super(`${resourceName}: ${problems.join('; ')}`);
    this.name = 'ModelError';
  }
}
