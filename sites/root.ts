import { defineSite } from 'remotetask';

/** The root site of the default deployment: one service, reachable as `@RootTaskService`. */
export default defineSite({
  services: {
    RootTaskService: { processor: 'multi', maxConcurrency: 4 },
  },
});
