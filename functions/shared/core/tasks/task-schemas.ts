// Task input rules as zod schemas, wherever a task comes from: the REST API, the agent's tools and
// the `tasks` webhook all parse with these (and the OpenAPI document describes them).
import * as z from 'zod';
import { isCalendarDate } from '../agent/due-dates';
import { MAX_ID_LENGTH } from '../ids';

export const dueDateSchema = z.string().refine(isCalendarDate, 'must be a calendar date YYYY-MM-DD');
export const taskStatusSchema = z.enum(['open', 'done']);

/** A task title: trimmed, 1 to 200 characters. */
export const taskTitleSchema = z.string().trim().min(1).max(200);

/** A task id as a caller may name it (longer ones cannot exist). */
export const taskIdSchema = z.string().min(1).max(MAX_ID_LENGTH);
