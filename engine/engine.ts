/**
 * The embedded engine: Camunda 8's operations over the engine's own core (core/), with every instance's state in
 * PostgreSQL or PGlite. This class is the facade the host and the `/v2` router use; the work is done by the parts in
 * kernel.ts (shared state), deployments.ts, instances.ts, steps.ts, wait-store.ts, jobs.ts, user-tasks.ts,
 * messages.ts (and signals) and scheduler.ts (timers, the clock), and the reads in store/reads.ts.
 */
import { Kernel, type EngineOptions } from './kernel';
import type { Deployments } from './deployments';
import type { Instances } from './instances';
import type { Jobs } from './jobs';
import type { Messaging } from './messages';
import type { Scheduler } from './scheduler';
import type { UserTasks } from './user-tasks';
import { reads, type EngineReads } from './store/reads';

export type { EngineOptions, Resource } from './kernel';

export class EmbeddedEngine {
  private readonly k: Kernel;

  constructor(options: EngineOptions) {
    this.k = new Kernel(options);
  }

  start(...args: Parameters<Scheduler['start']>): ReturnType<Scheduler['start']> {
    return this.k.scheduler.start(...args);
  }

  /**
   * For a process that answers reads while another process runs this engine on the same database: no schema work,
   * no scheduler, only the clock as it is pinned now (the searches and gets need nothing else).
   */
  startReading(...args: Parameters<Scheduler['startReading']>): ReturnType<Scheduler['startReading']> {
    return this.k.scheduler.startReading(...args);
  }

  stop(...args: Parameters<Scheduler['stop']>): ReturnType<Scheduler['stop']> {
    return this.k.scheduler.stop(...args);
  }

  now(...args: Parameters<Kernel['now']>): ReturnType<Kernel['now']> {
    return this.k.now(...args);
  }

  pinClock(...args: Parameters<Scheduler['pinClock']>): ReturnType<Scheduler['pinClock']> {
    return this.k.scheduler.pinClock(...args);
  }

  resetClock(...args: Parameters<Scheduler['resetClock']>): ReturnType<Scheduler['resetClock']> {
    return this.k.scheduler.resetClock(...args);
  }

  deploy(...args: Parameters<Deployments['deploy']>): ReturnType<Deployments['deploy']> {
    return this.k.definitions.deploy(...args);
  }

  searchProcessDefinitions(
    ...args: Parameters<Deployments['searchProcessDefinitions']>
  ): ReturnType<Deployments['searchProcessDefinitions']> {
    return this.k.definitions.searchProcessDefinitions(...args);
  }

  getProcessDefinition(
    ...args: Parameters<Deployments['getProcessDefinition']>
  ): ReturnType<Deployments['getProcessDefinition']> {
    return this.k.definitions.getProcessDefinition(...args);
  }

  getProcessDefinitionXml(
    ...args: Parameters<Deployments['getProcessDefinitionXml']>
  ): ReturnType<Deployments['getProcessDefinitionXml']> {
    return this.k.definitions.getProcessDefinitionXml(...args);
  }

  /**
   * Evaluates a deployed decision (Camunda's evaluateDecision): the latest version by id, or a version by key. A
   * decision that cannot decide answers with its failure, as Camunda does, not with an HTTP error.
   */
  evaluateDecision(...args: Parameters<Deployments['evaluateDecision']>): ReturnType<Deployments['evaluateDecision']> {
    return this.k.definitions.evaluateDecision(...args);
  }

  createProcessInstance(
    ...args: Parameters<Instances['createProcessInstance']>
  ): ReturnType<Instances['createProcessInstance']> {
    return this.k.instances.createProcessInstance(...args);
  }

  cancelProcessInstance(
    ...args: Parameters<Instances['cancelProcessInstance']>
  ): ReturnType<Instances['cancelProcessInstance']> {
    return this.k.instances.cancelProcessInstance(...args);
  }

  searchProcessInstances(
    ...args: Parameters<Instances['searchProcessInstances']>
  ): ReturnType<Instances['searchProcessInstances']> {
    return this.k.instances.searchProcessInstances(...args);
  }

  getProcessInstance(
    ...args: Parameters<Instances['getProcessInstance']>
  ): ReturnType<Instances['getProcessInstance']> {
    return this.k.instances.getProcessInstance(...args);
  }

  /** The sequence flows the instance has taken, each once (Camunda's GET /process-instances/{key}/sequence-flows). */
  getSequenceFlows(...args: Parameters<Instances['getSequenceFlows']>): ReturnType<Instances['getSequenceFlows']> {
    return this.k.instances.getSequenceFlows(...args);
  }

  searchElementInstances(
    ...args: Parameters<Instances['searchElementInstances']>
  ): ReturnType<Instances['searchElementInstances']> {
    return this.k.instances.searchElementInstances(...args);
  }

  /** Hands out up to maxJobsToActivate jobs of a type; waits up to requestTimeout for some to appear (long polling). */
  activateJobs(...args: Parameters<Jobs['activateJobs']>): ReturnType<Jobs['activateJobs']> {
    return this.k.jobs.activateJobs(...args);
  }

  /** Jobs activated for a worker that went away before receiving them are handed out again at once. */
  returnJobs(...args: Parameters<Jobs['returnJobs']>): ReturnType<Jobs['returnJobs']> {
    return this.k.jobs.returnJobs(...args);
  }

  completeJob(...args: Parameters<Jobs['completeJob']>): ReturnType<Jobs['completeJob']> {
    return this.k.jobs.completeJob(...args);
  }

  failJob(...args: Parameters<Jobs['failJob']>): ReturnType<Jobs['failJob']> {
    return this.k.jobs.failJob(...args);
  }

  throwJobError(...args: Parameters<Jobs['throwJobError']>): ReturnType<Jobs['throwJobError']> {
    return this.k.jobs.throwJobError(...args);
  }

  updateJob(...args: Parameters<Jobs['updateJob']>): ReturnType<Jobs['updateJob']> {
    return this.k.jobs.updateJob(...args);
  }

  searchUserTasks(...args: Parameters<UserTasks['searchUserTasks']>): ReturnType<UserTasks['searchUserTasks']> {
    return this.k.tasks.searchUserTasks(...args);
  }

  getUserTask(...args: Parameters<UserTasks['getUserTask']>): ReturnType<UserTasks['getUserTask']> {
    return this.k.tasks.getUserTask(...args);
  }

  getUserTaskForm(...args: Parameters<UserTasks['getUserTaskForm']>): ReturnType<UserTasks['getUserTaskForm']> {
    return this.k.tasks.getUserTaskForm(...args);
  }

  assignUserTask(...args: Parameters<UserTasks['assignUserTask']>): ReturnType<UserTasks['assignUserTask']> {
    return this.k.tasks.assignUserTask(...args);
  }

  unassignUserTask(...args: Parameters<UserTasks['unassignUserTask']>): ReturnType<UserTasks['unassignUserTask']> {
    return this.k.tasks.unassignUserTask(...args);
  }

  updateUserTask(...args: Parameters<UserTasks['updateUserTask']>): ReturnType<UserTasks['updateUserTask']> {
    return this.k.tasks.updateUserTask(...args);
  }

  completeUserTask(...args: Parameters<UserTasks['completeUserTask']>): ReturnType<UserTasks['completeUserTask']> {
    return this.k.tasks.completeUserTask(...args);
  }

  searchIncidents(...args: Parameters<Instances['searchIncidents']>): ReturnType<Instances['searchIncidents']> {
    return this.k.instances.searchIncidents(...args);
  }

  /** Resolves an incident: a job incident makes the job activatable again; any other replays the failed step. */
  resolveIncident(...args: Parameters<Instances['resolveIncident']>): ReturnType<Instances['resolveIncident']> {
    return this.k.instances.resolveIncident(...args);
  }

  /**
   * Publishes a message: it is correlated to a waiting subscription with the same name and correlation key (one
   * per process), or kept for its time to live for a catch event reached later. A message id is published once.
   */
  publishMessage(...args: Parameters<Messaging['publishMessage']>): ReturnType<Messaging['publishMessage']> {
    return this.k.messaging.publishMessage(...args);
  }

  /** Correlates a message to a waiting subscription now, or fails with 404 when none waits. */
  correlateMessage(...args: Parameters<Messaging['correlateMessage']>): ReturnType<Messaging['correlateMessage']> {
    return this.k.messaging.correlateMessage(...args);
  }

  /** Broadcasts a signal: every signal catch event waiting for its name is triggered, every signal start event starts. */
  broadcastSignal(...args: Parameters<Messaging['broadcastSignal']>): ReturnType<Messaging['broadcastSignal']> {
    return this.k.messaging.broadcastSignal(...args);
  }

  /** Sets variables on the process scope of the instance owning the element instance (the engine keeps one scope). */
  setVariables(...args: Parameters<Instances['setVariables']>): ReturnType<Instances['setVariables']> {
    return this.k.instances.setVariables(...args);
  }

  /** Activates elements of an active ad-hoc sub-process, each with its local variables (Camunda 8.8's ad-hoc activation). */
  activateAdHocSubProcessActivities(
    ...args: Parameters<Instances['activateAdHocSubProcessActivities']>
  ): ReturnType<Instances['activateAdHocSubProcessActivities']> {
    return this.k.instances.activateAdHocSubProcessActivities(...args);
  }

  /** Variables of every scope, searched in SQL (store/results.ts: keys, scopes, filters). */
  searchVariables(...args: Parameters<Instances['searchVariables']>): ReturnType<Instances['searchVariables']> {
    return this.k.instances.searchVariables(...args);
  }

  getVariable(...args: Parameters<Instances['getVariable']>): ReturnType<Instances['getVariable']> {
    return this.k.instances.getVariable(...args);
  }

  getElementInstance(
    ...args: Parameters<Instances['getElementInstance']>
  ): ReturnType<Instances['getElementInstance']> {
    return this.k.instances.getElementInstance(...args);
  }

  getIncident(...args: Parameters<Instances['getIncident']>): ReturnType<Instances['getIncident']> {
    return this.k.instances.getIncident(...args);
  }

  searchDecisionRequirements(
    ...args: Parameters<Deployments['searchDecisionRequirements']>
  ): ReturnType<Deployments['searchDecisionRequirements']> {
    return this.k.definitions.searchDecisionRequirements(...args);
  }

  getDecisionRequirements(
    ...args: Parameters<Deployments['getDecisionRequirements']>
  ): ReturnType<Deployments['getDecisionRequirements']> {
    return this.k.definitions.getDecisionRequirements(...args);
  }

  getDecisionRequirementsXml(
    ...args: Parameters<Deployments['getDecisionRequirementsXml']>
  ): ReturnType<Deployments['getDecisionRequirementsXml']> {
    return this.k.definitions.getDecisionRequirementsXml(...args);
  }

  /** What this engine says of its license (GET /v2/license): none; see store/reads.ts. */
  getLicense(...args: Parameters<Deployments['getLicense']>): ReturnType<Deployments['getLicense']> {
    return this.k.definitions.getLicense(...args);
  }

  /** A process's start form (its none start event's), or undefined when it has none. */
  getStartProcessForm(
    ...args: Parameters<Deployments['getStartProcessForm']>
  ): ReturnType<Deployments['getStartProcessForm']> {
    return this.k.definitions.getStartProcessForm(...args);
  }

  // The reads that are only reads (store/reads.ts): jobs, message subscriptions, decisions, statistics, hierarchy.

  searchJobs(query: unknown) {
    return reads(this.k.db).searchJobs(query);
  }

  searchMessageSubscriptions(query: unknown) {
    return reads(this.k.db).searchMessageSubscriptions(query);
  }

  searchDecisionDefinitions(query: unknown) {
    return reads(this.k.db).searchDecisionDefinitions(query);
  }

  getDecisionDefinition(key: string) {
    return reads(this.k.db).getDecisionDefinition(key);
  }

  getDecisionDefinitionXml(key: string) {
    return reads(this.k.db).getDecisionDefinitionXml(key);
  }

  searchInstanceIncidents(key: string, query: unknown) {
    return reads(this.k.db).searchInstanceIncidents(key, query);
  }

  searchUserTaskVariables(key: string, query: unknown) {
    return reads(this.k.db).searchUserTaskVariables(key, query);
  }

  getCallHierarchy(key: string) {
    return reads(this.k.db).callHierarchy(key);
  }

  elementStatistics(
    ...args: Parameters<EngineReads['elementStatistics']>
  ): ReturnType<EngineReads['elementStatistics']> {
    return reads(this.k.db).elementStatistics(...args);
  }
}
