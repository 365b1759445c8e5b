/** remotetask's public API: what host applications and plugin authors import from 'remotetask'. */
export { createKernel, type KernelOptions } from './kernel/create-kernel.js';
export {
  Kernel,
  KernelToken,
  LifecycleHooks,
  PluginOptionsToken,
  type LifecycleHook,
  type LifecyclePhase,
} from './kernel/kernel.js';
export { KernelResources } from './kernel/kernel-resources.js';
export { definePlugin, optionsCheckedBy, type Plugin, type PluginContext, type PluginOptionsSpec } from './kernel/define-plugin.js';
export { registerPlugins, type Registration } from './kernel/register-plugins.js';
export {
  defineConfig,
  defineSite,
  type RemotetaskConfig,
  type SiteConfig,
  type ServiceConfig,
  type StoreConfig,
  type PluginSpec,
  type PluginObject,
  type PluginConfigs,
  ConfigToken,
} from './config/define-config.js';
export { loadConfig, type LoadedConfig } from './config/load-config.js';
export { ConfigError } from './config/config-error.js';
export { Site } from './registry/site.js';
export type { Token } from './registry/token.js';
export { type ContributionProvider, contributionProvider } from './registry/contribution-provider.js';
export { TaskServiceToken } from './service/task-service-token.js';
export { JobStoreToken } from './store/job-store-token.js';
export { SimpleTask, type TaskFunction } from './tasks/simple-task.js';
export { TaskError } from './tasks/task-error.js';
export { SnoozeError } from './tasks/snooze-error.js';
export { TaskToken, type Task, type TaskContext, type TaskServiceHandle, type TaskOptions, type JsonSchema, type RunIn } from './tasks/task.js';
export { isolatedTask, IsolatedTask, type IsolatedTaskOptions } from './isolation/isolated-task.js';
export type { IsolatedTaskContext, IsolatedTaskFunction, TaskModuleLogger } from './isolation/task-module.js';
export type { IsolationOptions } from './isolation/isolation-options.js';
export { containStrayErrors, type StrayErrorContainment } from './isolation/stray-errors.js';
export { validateTaskInput, type SchemaProblem } from './tasks/task-schemas.js';
export {
  JOB_STATUSES,
  FINAL_STATUSES,
  WAITING_STATUSES,
  RETRYABLE_STATUSES,
  type RetryableStatus,
  type JobStatus,
  type JobRecord,
  type Schedule,
  type FieldSchedule,
  type DelaySchedule,
  type CronExpressionSchedule,
} from './jobs/job.js';
export { ATTEMPT_OUTCOMES, type AttemptOutcome, type JobAttempt } from './jobs/job-attempt.js';
export { ATTEMPTS_KEPT, ATTEMPT_ERROR_CHARS, ATTEMPT_STACK_CHARS } from './store/attempt-rules.js';
export { timeOfNextCall, nextRunAt } from './jobs/time-of-next-call.js';
export { validateSchedule, ScheduleError } from './jobs/validate-schedule.js';
export { MAX_TIMEOUT_MS, MAX_DELAY_SECONDS, MAX_JOB_ID, MIN_PRIORITY, MAX_PRIORITY } from './jobs/job-limits.js';
export { TaskService, type AddOptions, type CronJobOptions } from './service/task-service.js';
export { MAX_KEY_LENGTH, KEY_SCOPES, KeyOptionsError, type KeyOptions } from './service/key-options.js';
export { KeyTakenError } from './store/key-taken-error.js';
export { GateOptionsError, describeGate, type LimitOptions } from './service/limit-options.js';
export type { LimitRule, LimitSet } from './store/gate-rules.js';
export { JobsView } from './service/jobs-view.js';
export {
  FlowOptionsError, MAX_FLOW_JOBS, MAX_PARENTS,
  type DependencyOptions, type FlowSpec, type FlowJobSpec, type BatchSpec, type BatchJobSpec, type AddedFlowJob, type AddedBatch,
} from './service/flow-options.js';
export { UnknownParentError, type OnParentFailure, type BatchRecord, type RelatedJob, type NewFlow, type NewFlowJob, type FlowInsert } from './store/job-flows.js';
export { DEFAULT_SERVICE_OPTIONS, type ServiceOptions } from './service/service-options.js';
export { DEFAULT_RETENTION, parseDuration, type Duration, type RetentionConfig, type RetentionRule } from './service/retention/retention-options.js';
export { RetentionSweeper, type RetentionRemoved, type SweepReport } from './service/retention/retention-sweeper.js';
export { EVENT_WINDOW_SIZE, JobEventBus, type JobEvent, type JobEventType, type NumberedJobEvent } from './service/job-events.js';
export { parseDirective, type Directive } from './service/parse-directive.js';
export { startRemoteTasks } from './service/start-remote-tasks.js';
export {
  UnknownTaskError,
  UnknownJobError,
  UnknownServiceError,
  InvalidInputError,
  JobStateError,
} from './service/errors.js';
export type { JobStore, NewJob, JobOutcome, AppliedOutcome, JobQuery, JobPage, ClaimOptions, CancelListener, KeyScope, OnKeyTaken, KeyedInsert, HostClient, HostTransactionInserts, MinuteCompletions, HeldBy, GatingOptions } from './store/job-store.js';
export { HostClientError } from './store/host-inserts.js';
export { createJobStore } from './store/create-job-store.js';
export type { ProcessBeat, ProcessRecord, HeldJobEntry } from './store/process-registry.js';
export { InvalidCursorError } from './store/keyset-paging.js';
export { isStoreUnreachable } from './store/is-store-unreachable.js';
export { createLogger, LOGGER_NAME, type LoggerOptions } from './log/create-logger.js';
export { addRunMetrics } from './fleet/run-metrics.js';
