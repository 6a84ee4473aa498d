/**
 * Validates what a tasklist submits against the task's Camunda form (form-js schema): only the form's own keys,
 * each of the type its field gives, required fields present, the form's limits (min/max, length, pattern) and
 * choices (select, radio, checklist) kept, and no phone or ID number in typed text (however it is written: see
 * domain/public-text.ts). Every problem is listed at once, per field, in Chinese and English.
 */
import { evaluate } from 'feelin';
import { problems } from '../platform/problem';
import { findPersonalData } from '../domain/public-text';

export interface FormComponent {
  type: string;
  key?: string;
  label?: string;
  values?: Array<{ label: string; value: unknown }>;
  valuesKey?: string;
  components?: FormComponent[];
  validate?: {
    required?: boolean;
    min?: number;
    max?: number;
    minLength?: number;
    maxLength?: number;
    pattern?: string;
  };
  /** form-js's condition: the field is hidden (not submitted, not validated) while `hide` is true. */
  conditional?: { hide?: string };
}

export interface FormSchema {
  id?: string;
  components: FormComponent[];
}

/** Field types that hold no value (display only). */
const DISPLAY = new Set([
  'text',
  'html',
  'image',
  'spacer',
  'separator',
  'button',
  'iframe',
  'table',
  'documentPreview',
]);

function fields(components: FormComponent[]): FormComponent[] {
  return components.flatMap((c) => (c.components ? fields(c.components) : c.key && !DISPLAY.has(c.type) ? [c] : []));
}

/** Records a problem with a field, in Chinese and English. */
type Fail = (field: string, zh: string, en: string) => void;

/** Checks typed text (textfield, textarea, datetime) against the field's limits and for personal data. */
function checkText(f: FormComponent, value: unknown, fail: Fail): void {
  const key = f.key!;
  const label = f.label ?? key;
  const v = f.validate ?? {};
  if (typeof value !== 'string') {
    fail(key, `“${label}”应为文字`, `"${label}" must be text`);
    return;
  }
  if (v.minLength !== undefined && value.length < v.minLength)
    fail(key, `“${label}”至少 ${v.minLength} 个字`, `"${label}" needs at least ${v.minLength} characters`);
  if (v.maxLength !== undefined && value.length > v.maxLength)
    fail(key, `“${label}”最多 ${v.maxLength} 个字`, `"${label}" allows at most ${v.maxLength} characters`);
  if (v.pattern && !new RegExp(v.pattern).test(value))
    fail(key, `“${label}”格式不正确`, `"${label}" does not have the expected format`);
  if (f.type !== 'datetime' && findPersonalData(value).length > 0) {
    // What staff type here becomes a process variable (shown by Operate) and may reach the notice board,
    // the rating page or a text to the petitioner: numbers belong in the petitioner's record, encrypted.
    fail(
      key,
      `“${label}”中不能填写电话号码或身份证号（办理文字会进入流程数据，并可能公示或发给信访人），联系方式请登记在信访人信息中`,
      `"${label}" must not contain a phone or ID number (this text goes into the process data and may be published or sent to the petitioner); keep contact details in the petitioner's record`,
    );
  }
}

/** Checks a field's (non-empty) value against the type, limits and choices its field gives. */
function checkValue(f: FormComponent, value: unknown, fail: Fail): void {
  const key = f.key!;
  const label = f.label ?? key;
  const v = f.validate ?? {};
  const choices = f.values?.map((c) => c.value);
  switch (f.type) {
    case 'textfield':
    case 'textarea':
    case 'datetime':
      checkText(f, value, fail);
      break;
    case 'number': {
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        fail(key, `“${label}”应为数字`, `"${label}" must be a number`);
        break;
      }
      if (v.min !== undefined && value < v.min)
        fail(key, `“${label}”不能小于 ${v.min}`, `"${label}" must be at least ${v.min}`);
      if (v.max !== undefined && value > v.max)
        fail(key, `“${label}”不能大于 ${v.max}`, `"${label}" must be at most ${v.max}`);
      break;
    }
    case 'checkbox':
      if (typeof value !== 'boolean') fail(key, `“${label}”应为是或否`, `"${label}" must be true or false`);
      break;
    case 'select':
    case 'radio':
      if (choices && !choices.includes(value))
        fail(key, `“${label}”不是可选的值`, `"${label}" is not one of the choices`);
      else if (!choices && typeof value !== 'string') fail(key, `“${label}”应为文字`, `"${label}" must be text`);
      break;
    case 'checklist':
    case 'taglist':
      if (!Array.isArray(value) || value.some((x) => typeof x !== 'string')) {
        fail(key, `“${label}”应为一组选项`, `"${label}" must be a list of choices`);
      } else if (choices && value.some((x) => !choices.includes(x))) {
        fail(key, `“${label}”含有不可选的值`, `"${label}" holds a value that is not a choice`);
      } else if (value.length > 100) {
        fail(key, `“${label}”选项过多`, `"${label}" holds too many values`);
      }
      break;
    default:
      if (typeof value === 'object' && value !== null && JSON.stringify(value).length > 20000)
        fail(key, `“${label}”过大`, `"${label}" is too large`);
  }
}

/** Whether the field's `conditional.hide` FEEL expression holds for the submitted data (as form-js decides it). */
function hidden(f: FormComponent, data: Record<string, unknown>): boolean {
  const hide = f.conditional?.hide;
  if (!hide) return false;
  try {
    return evaluate(hide.replace(/^=/, ''), data).value === true;
  } catch {
    return false;
  }
}

/**
 * The submitted data when it fits the form (less the values of fields hidden by their condition, which form-js would
 * not submit); else a 400 problem listing every field's problem at once.
 */
export function validateFormData(form: FormSchema, data: Record<string, unknown>): Record<string, unknown> {
  const all = fields(form.components ?? []);
  const errors: Array<{ field: string; zh: string; en: string }> = [];
  const fail: Fail = (field, zh, en) => errors.push({ field, zh, en });
  for (const key of Object.keys(data)) {
    if (!all.some((f) => f.key === key)) fail(key, `表单中没有字段“${key}”`, `the form has no field "${key}"`);
  }
  const submitted = { ...data };
  for (const f of all) {
    const key = f.key!;
    if (hidden(f, data)) {
      delete submitted[key];
      continue;
    }
    const label = f.label ?? key;
    const value = data[key];
    const empty = value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0);
    if (empty) {
      if (f.validate?.required) fail(key, `“${label}”为必填项`, `"${label}" is required`);
      continue;
    }
    checkValue(f, value, fail);
  }
  if (errors.length > 0) {
    throw problems.badRequest(
      { zh: errors.map((e) => e.zh).join('；'), en: errors.map((e) => e.en).join('; ') },
      { errors: errors.map((e) => ({ field: e.field, message: e.zh, messageEn: e.en })) },
    );
  }
  return submitted;
}
