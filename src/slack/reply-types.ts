/** What a reply says that the alert storm (which stores it) and the renderer (which shows it) share. */
import type { Cause } from '../diagnosis/report.js';

/** The cause of a group's first reply, as a repeat shows it. */
export type CauseSummary = Pick<Cause, 'id' | 'confidence' | 'basis' | 'summary' | 'remediation'>;
