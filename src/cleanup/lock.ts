/**
 * One run at a time per repository. Two handlers of one repository (`kayron:sha`, `kayron:v`)
 * planning at the same moment would each see the other's doomed images as staying, and a
 * platform manifest they share would outlive both; one after the other, it goes with the second.
 */
export class RepositoryLocks {
  private readonly tails = new Map<string, Promise<unknown>>();

  async run<Result>(repository: string, work: () => Promise<Result>): Promise<Result> {
    const previous = this.tails.get(repository) ?? Promise.resolve();
    const current = previous.then(work, work);
    const tail = current.catch(() => {});
    this.tails.set(repository, tail);
    try {
      return await current;
    } finally {
      // Forget an idle repository, so the map does not grow with every repository ever seen.
      if (this.tails.get(repository) === tail) this.tails.delete(repository);
    }
  }
}
