/** Every migration, in order. Each has `up` and `down`; a test runs them up, down and up again. */
import { UsersAndRoles1764400000000 } from './1764400000000-users-and-roles';
import { GridsAndCompounds1764400000001 } from './1764400000001-grids-and-compounds';
import { Residents1764400000002 } from './1764400000002-residents';
import { Cases1764400000003 } from './1764400000003-cases';
import { WorkCalendar1764400000010 } from './1764400000010-work-calendar';
import { Notifications1764400000020 } from './1764400000020-notifications';
import { CaseHandling1764400000030 } from './1764400000030-case-handling';
import { Screening1764400000040 } from './1764400000040-screening';
import { Sessions1764400000050 } from './1764400000050-sessions';
import { RegistryPlans1764400000060 } from './1764400000060-registry-plans';
import { DiagramVersions1764400000070 } from './1764400000070-diagram-versions';
import { Prevention1764400000080 } from './1764400000080-prevention';
import { Settings1764400000090 } from './1764400000090-settings';
import { CaseProcessInstanceIndex1764400000100 } from './1764400000100-case-process-instance-index';
import { ProcessStartAttempted1764400000110 } from './1764400000110-process-start-attempted';
import { ClosedEventIndex1764400000120 } from './1764400000120-closed-event-index';
import { StartAttemptedAlertsPersons1764400000130 } from './1764400000130-start-attempted-alerts-persons';
import { RateLimits1764400000140 } from './1764400000140-rate-limits';
import { RatingLinkCaseIndex1764400000150 } from './1764400000150-rating-link-case-index';
import { ResidentNameOptional1764400000230 } from './1764400000230-resident-name-optional';
import { DeadlineCalendarWaits1764400000231 } from './1764400000231-deadline-calendar-waits';
import { ClosedAtIndex1764400000240 } from './1764400000240-closed-at-index';
import { CaseSearch1764400000250 } from './1764400000250-case-search';
import { Operations1764400000260 } from './1764400000260-operations';
import { CategoryDictionary1764400000270 } from './1764400000270-category-dictionary';
import { DailyWorkplace1764400000280 } from './1764400000280-daily-workplace';
import { LegalProcedures1764400000290 } from './1764400000290-legal-procedures';
import { Reviews1764400000300 } from './1764400000300-reviews';

export const migrations = [
  UsersAndRoles1764400000000,
  GridsAndCompounds1764400000001,
  Residents1764400000002,
  Cases1764400000003,
  WorkCalendar1764400000010,
  Notifications1764400000020,
  CaseHandling1764400000030,
  Screening1764400000040,
  Sessions1764400000050,
  RegistryPlans1764400000060,
  DiagramVersions1764400000070,
  Prevention1764400000080,
  Settings1764400000090,
  CaseProcessInstanceIndex1764400000100,
  ProcessStartAttempted1764400000110,
  ClosedEventIndex1764400000120,
  StartAttemptedAlertsPersons1764400000130,
  RateLimits1764400000140,
  RatingLinkCaseIndex1764400000150,
  ResidentNameOptional1764400000230,
  DeadlineCalendarWaits1764400000231,
  ClosedAtIndex1764400000240,
  CaseSearch1764400000250,
  Operations1764400000260,
  CategoryDictionary1764400000270,
  DailyWorkplace1764400000280,
  LegalProcedures1764400000290,
  Reviews1764400000300,
];
