/**
 * The names the models in this folder share with the code around them: job types, process ids, message names,
 * BPMN error codes and the notification headers. Defined here once; `tests/integration/bpmn/models.test.ts`
 * fails when a model uses a job type missing here, or when an entry here is used by no model.
 */

export const JOB_TYPES = {
  /** Sends a notice; the `template` and `recipient` task headers say which and to whom. */
  sendNotification: 'send-notification',
  /** Sets `legalDueAt`/`legalReplyDueAt` (header phase=acceptance) or `slaDueAt`/`slaRedAt` (phase=handling) from decision `deadline-policy`. */
  computeDeadlines: 'compute-deadlines',
  /** Sends the petitioner a rating link and sets `ratingWindow` (ISO duration the link stays valid). */
  issueRatingLink: 'issue-rating-link',
  /** Posts case number, category, compound and outcome on the community notice board (dual feedback of key matters). */
  publishNotice: 'publish-notice',
  /** Raises `handlingRound` and hands the case to the community party secretary. */
  startSecondHandling: 'start-second-handling',
  /** Closes the case; throws `CASE_NOT_RESOLVED` when it is not resolved (不解决不销号). */
  closeCase: 'close-case',
  /** Screens a new case against the early-warning rules; starts `early-warning-joint-handling` once per rule, place and window. */
  checkEarlyWarning: 'check-early-warning',
  /** Enters a petitioner with ≥ 3 petitions in 365 days into the key-person registry and starts `key-person-care`; counts repeats. */
  checkKeyPerson: 'check-key-person',
  /** Assigns a key person's service team; sets `serviceTeamLead` (a username) and `visitInterval` (ISO duration). */
  assignServiceTeam: 'assign-service-team',
  /** Records a key person's conversion to volunteer or council member. */
  recordConversion: 'record-conversion',
  /** Records the answer of a review or re-review (`reviewId`, `reviewOutcome`, `reviewOpinion`) on the case. */
  recordReviewOpinion: 'record-review-opinion',
  /** Records a step of the law's procedures on the case (header `procedure`, see PROCEDURES): status, dates, timeline. */
  recordProcedure: 'record-procedure',
} as const;

export type JobType = (typeof JOB_TYPES)[keyof typeof JOB_TYPES];

export const PROCESS_IDS = {
  /** A petition from intake to closing: classes, feedback, rating, second handling. */
  petitionHandling: 'petition-handling',
  /** A complex case's 1+X working group (called by petition-handling). */
  workingGroup1PlusX: 'working-group-1plusx',
  /** A difficult or twice-dissatisfied case at the street office, one case one team (called by petition-handling). */
  streetOfficeEscalation: 'street-office-escalation',
  /** Property company, community and maintenance unit act on an early warning. */
  earlyWarningJointHandling: 'early-warning-joint-handling',
  /** A key person's service team visits until the person leaves the registry. */
  keyPersonCare: 'key-person-care',
  /** A review (复查, Art 35) or re-review (复核, Art 36) of a case's opinion, started from the case (`kind`). */
  petitionReview: 'petition-review',
} as const;

export type ProcessId = (typeof PROCESS_IDS)[keyof typeof PROCESS_IDS];

export const MESSAGES = {
  /** The petitioner rated the handling; correlation key `caseId`, variables `rating` and `comment`. */
  satisfactionRated: 'satisfaction-rated',
  /** A key person left the registry; correlation key `personId`. */
  keyPersonExited: 'key-person-exited',
  /** The unit handling the case objects that it was wrongly assigned (Art 23); correlation key `caseId`, variables
   * `returnReasons`, `returnedBy`. Caught by the handling steps that may be returned. */
  caseReturned: 'case-returned',
  /** Staff ask to extend the legal handling limit (Art 34); correlation key `caseId`, variables
   * `extensionRequestedDays`, `extensionReasons`, `extensionRequestedBy`. Starts the extension event sub-process. */
  extensionRequested: 'case-extension-requested',
  /** The petitioner withdrew the petition (entered by staff); correlation key `caseId`, variables
   * `withdrawalReason`, `withdrawnBy`. Starts the interrupting withdrawal event sub-process. */
  caseWithdrawn: 'case-withdrawn',
} as const;

export const ERROR_CODES = {
  /** Thrown by close-case: the case is not resolved and goes back to handling. */
  caseNotResolved: 'CASE_NOT_RESOLVED',
} as const;

export const DECISIONS = {
  /** Suggests `caseClass` from `category` (business rule task in petition-handling). */
  suggestCaseClass: 'suggest-case-class',
  /** Internal and legal limits by `caseClass`, read by the compute-deadlines worker. */
  deadlinePolicy: 'deadline-policy',
} as const;

/** Values of the `template` header on send-notification tasks. */
export const NOTIFICATION_TEMPLATES = {
  /** The receipt at registration: received and registered, and by when the petitioner hears whether it is accepted. */
  registered: 'registered',
  /** The petition was accepted (Art 22–23): written notice with the legal date of the handling opinion (Art 34). */
  acceptance: 'acceptance',
  /** The handling result, by SMS. */
  result: 'result',
  /** The petition was not accepted (Art 22–23), with the reason. */
  notAccepted: 'not-accepted',
  /** The petition was passed on to the authority that may handle it (Art 22–23), named in the text. */
  passedOn: 'passed-on',
  /** The legal handling limit was extended (Art 34): by how many days, and the new date. */
  extensionGranted: 'extension-granted',
  /** The one-time rating link; sent by the issue-rating-link worker (no send-notification task uses it). */
  ratingLink: 'rating-link',
  /** The internal deadline passed. */
  overdueYellow: 'overdue-yellow',
  /** The internal deadline passed long ago: the leader is told. */
  overdueRed: 'overdue-red',
  /** A case was reported to the street office. */
  escalated: 'escalated',
  /** The street office's one-case-one-team gave its handling opinion. */
  teamOpinion: 'team-opinion',
  /** The case was closed. */
  closed: 'closed',
  /** An early-warning rule fired. */
  earlyWarning: 'early-warning',
  /** The joint handling of an early warning is done. */
  jointHandlingResult: 'joint-handling-result',
  /** The petitioner's review or re-review request was received, with the date it is answered by. */
  reviewRequested: 'review-requested',
  /** The review or re-review opinion, to the petitioner (a re-review's says the matter is final). */
  reviewOpinion: 'review-opinion',
  /** A review or re-review was not answered within its 30 days. */
  reviewOverdue: 'review-overdue',
  /** A review or re-review was answered: the first responder is told. */
  reviewAnswered: 'review-answered',
  /** A task landed in a group's queue (second handling, the street office, a coordination): sent by the app's
   * notice watcher to every member of the group, not by a send-notification task. */
  taskQueued: 'task-queued',
  /** An instance stopped in an incident: sent by the app's notice watcher to every admin. */
  incident: 'incident',
} as const;

/** Values of the `recipient` header on send-notification tasks. */
export const RECIPIENTS = {
  /** The petitioner (or, for an early warning, every petitioner of `caseIds`). */
  petitioner: 'petitioner',
  /** The case's first responder (`firstResponder`). */
  firstResponder: 'first-responder',
  /** The leader in charge. */
  leader: 'leader',
  /** The street office petition office's queue. */
  streetOffice: 'street-office',
  /** The members of a task's candidate group (the notice watcher's, not a model's). */
  candidate: 'candidate',
  /** The admins, told of incidents (the notice watcher's, not a model's). */
  admin: 'admin',
} as const;

/** Values of the `phase` header on compute-deadlines tasks. */
export const DEADLINE_PHASES = {
  /** At registration: the legal date by which the petitioner hears whether it is accepted (Art 22–23). */
  acceptance: 'acceptance',
  /** Once accepted: the legal date of the handling opinion, 60 days from acceptance (Art 34). */
  accepted: 'accepted',
  /** An extension approved by the leader: the legal date moves by the days granted (Art 34). */
  extension: 'extension',
  /** Before each handling: the internal deadline of `caseClass`, its red-warning date, and the end of the 5 working
   * days within which the unit handling may object to the assignment (Art 23). */
  handling: 'handling',
} as const;

/** Values of the `procedure` header on record-procedure tasks. */
export const PROCEDURES = {
  /** The first responder's decision (`acceptanceDecision`: accepted, not-accepted, passed-on). */
  acceptance: 'acceptance',
  /** The unit handling returned the case to the first responder to re-route. */
  returned: 'returned',
  /** Staff asked for an extension; the leader decides. */
  extensionRequested: 'extension-requested',
  /** The leader granted the extension (`extensionDays`, the moved `legalDueAt`). */
  extensionGranted: 'extension-granted',
  /** The leader refused the extension. */
  extensionRefused: 'extension-refused',
  /** The petitioner withdrew the petition. */
  withdrawn: 'withdrawn',
} as const;

export type Procedure = (typeof PROCEDURES)[keyof typeof PROCEDURES];
