const DEADLOCK_DETECTED = '40P01';

/** Runs `statement`, again (up to 3 times in all) when PostgreSQL broke a deadlock by aborting it. */
export async function retryOnDeadlock<T>(statement: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await statement();
    } catch (error) {
      if ((error as { code?: string }).code !== DEADLOCK_DETECTED || attempt >= 3) throw error;
    }
  }
}
