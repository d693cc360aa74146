/** Resolves after `milliseconds`, or as soon as `signal` is raised; never rejects. */
export function sleepUnlessAborted(milliseconds: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const wake = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', wake);
      resolve();
    }, milliseconds);
    signal.addEventListener('abort', wake, { once: true });
  });
}
