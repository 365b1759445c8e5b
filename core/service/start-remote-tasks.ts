import type { Logger } from 'winston';
import type { Site } from '../registry/site.js';
import { parseDirective } from './parse-directive.js';
import type { TaskService } from './task-service.js';

export interface ServiceDirectory {
  /** Every site, the root first. */
  sites(): Site[];
  /** A site's own services (not its parent's), by name. */
  servicesOf(site: Site): TaskService[];
}

/**
 * The seed's bootstrap subscriber: starts the services the autostart directives name and logs
 * what it did, line for line as lovely.remotetask logged it. `site@*` starts the site's own
 * services only; `*@X` looks in every site, the root first.
 */
export function startRemoteTasks(directory: ServiceDirectory, directives: readonly string[], logger: Logger): TaskService[] {
  logger.info('handling event IStartRemoteTasksEvent');
  const started: TaskService[] = [];
  for (const directive of directives) {
    const { site: siteName, service: serviceName } = parseDirective(directive);
    let sites: Site[];
    if (siteName === '*') sites = directory.sites();
    else {
      const site = directory.sites().find((candidate) => candidate.name === siteName);
      if (!site) {
        logger.error(`site ${siteName} not found`);
        continue;
      }
      sites = [site];
    }
    let matched = 0;
    for (const site of sites) {
      const services = directory
        .servicesOf(site)
        .filter((service) => serviceName === '*' || service.name === serviceName);
      if (services.length === 0 && siteName !== '*' && serviceName !== '*') {
        logger.error(`service ${serviceName} on site ${site.displayName} not found`);
        matched = -1;
        continue;
      }
      for (const service of services) {
        matched = Math.max(matched, 0) + 1;
        if (service.isProcessing()) continue;
        service.startProcessing();
        started.push(service);
        logger.info(`service ${service.name} on site ${site.displayName} started`);
      }
    }
    if (matched === 0) logger.warn(`no services started by directive ${directive}`);
  }
  return started;
}
