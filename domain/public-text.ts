/**
 * The one screening of text that leaves for the public (the notice board, the rating page, texts sent to
 * petitioners) and of free text staff type into task forms. Staff write numbers as they come: "139 0000 1111",
 * "139-0000-1111", full-width "１３９００００１１１１", "+86 139…", "(010) 6512-3456", so every check first normalises
 * width (NFKC) and then reads digits across the separators people put between them (spaces, dashes, dots, slashes,
 * brackets). What it finds: mobile numbers, landline numbers (with an area code, or after a word like 电话), 18-character
 * ID numbers, and the names of the case's people given to it (also when typed with spaces between the characters).
 *
 * Screening replaces each finding with "***" and leaves the rest as written; scripts/check-public-text.ts uses the
 * same finder to check what the system produced.
 */
import type { Queryable } from '../platform/db';
import { namesOnCases } from './cases';

export type PersonalDataKind = 'mobile' | 'landline' | 'id-number' | 'name';

export interface PersonalDataFinding {
  kind: PersonalDataKind;
  /** UTF-16 offsets in the text as given. */
  from: number;
  to: number;
  /** The text as written there. */
  text: string;
}

/** What a finding is replaced with in public text. */
export const MASK = '***';

/** Characters people put between the digits of one number (after NFKC: full-width forms are ASCII by then). */
const SEPARATOR = /^[\s\-\u2010-\u2015\u2212.\u00b7\u30fb/()_+]$/u;
/** At most this many separators in a row still join two digit groups ("139 - 0000"). */
const MAX_SEPARATORS = 3;
/** No pattern is longer than this many characters (0086 + 11 digits; an ID number is 18). */
const LONGEST = 18;

const MOBILE = /^(?:0086|86)?1[3-9]\d{9}$/;
const ID_NUMBER = /^\d{17}[\dX]$/;
/** Area code (010, 02x, 0xxx) and a local number of 7 or 8 digits. */
const LANDLINE = /^0(?:[12]\d|[3-9]\d{2})[2-9]\d{6,7}$/;
/** A local number without its area code, counted only after a word that says it is a phone number. */
const LOCAL_NUMBER = /^[2-9]\d{6,7}$/;
const PHONE_WORD = /(电话|座机|手机|联系|热线|号码|tel|phone)/i;

interface Char {
  c: string;
  from: number;
  to: number;
}

/** The text's characters after NFKC, each with the span of the original it came from. */
function normalised(text: string): Char[] {
  const out: Char[] = [];
  let at = 0;
  for (const cp of text) {
    for (const c of cp.normalize('NFKC')) out.push({ c, from: at, to: at + cp.length });
    at += cp.length;
  }
  return out;
}

const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';

interface Group {
  digits: string;
  /** Index of its first character in the normalised text. */
  first: number;
  last: number;
}

/** Runs of digits joined by separators ("139 0000 1111" is one cluster of three groups). */
function clusters(chars: Char[]): Group[][] {
  const out: Group[][] = [];
  let k = 0;
  while (k < chars.length) {
    if (!isDigit(chars[k].c)) {
      k++;
      continue;
    }
    const groups: Group[] = [];
    let j = k;
    for (;;) {
      const first = j;
      let digits = '';
      while (isDigit(chars[j]?.c)) digits += chars[j++].c;
      // An ID number may end in X (not when the X begins a word).
      if (/^[Xx]$/.test(chars[j]?.c ?? '') && !/^[A-Za-z0-9]$/.test(chars[j + 1]?.c ?? '')) {
        digits += 'X';
        j++;
      }
      groups.push({ digits, first, last: j - 1 });
      let s = j;
      while (s < chars.length && s - j < MAX_SEPARATORS && SEPARATOR.test(chars[s].c)) s++;
      if (s > j && isDigit(chars[s]?.c) && !digits.endsWith('X')) {
        j = s;
        continue;
      }
      break;
    }
    // Digits inside an identifier (a UUID, a hex key, a token: "…-15373076377f", "46b5-4542-9211-445072398e5e")
    // are not a number anyone wrote: the run ends in an ASCII letter, or starts right after a letter that follows a
    // digit. A number written after a word ("Tel13900001111") is still one.
    const before = chars[k - 1]?.c ?? '';
    const identifier = /^[A-Za-z]$/.test(chars[j]?.c ?? '') || (/^[A-Za-z]$/.test(before) && isDigit(chars[k - 2]?.c));
    if (!identifier) out.push(groups);
    k = j;
  }
  return out;
}

function numberKind(digits: string, afterPhoneWord: boolean): PersonalDataKind | null {
  if (ID_NUMBER.test(digits)) return 'id-number';
  if (MOBILE.test(digits)) return 'mobile';
  if (LANDLINE.test(digits)) return 'landline';
  if (afterPhoneWord && LOCAL_NUMBER.test(digits)) return 'landline';
  return null;
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

/** The characters with every UUID (request ids, case ids in logs and links) blanked: its digits are no number. */
function withoutUuids(chars: Char[]): Char[] {
  const joined = chars.map((c) => c.c).join('');
  // One character per entry, so an offset in `joined` is an index into `chars` (NFKC output of one code point may be
  // several entries, each a single UTF-16 unit or a surrogate pair; UUID characters are ASCII either way).
  if (joined.length !== chars.length || !/[0-9a-f]{8}-/i.test(joined)) return chars;
  const out = chars.slice();
  for (const m of joined.matchAll(UUID))
    for (let i = m.index; i < m.index + m[0].length; i++) out[i] = { ...out[i], c: '#' };
  return out;
}

function numbers(text: string, chars: Char[]): PersonalDataFinding[] {
  const found: PersonalDataFinding[] = [];
  for (const groups of clusters(withoutUuids(chars))) {
    for (let i = 0; i < groups.length; i++) {
      const before = chars
        .slice(Math.max(0, groups[i].first - 8), groups[i].first)
        .map((c) => c.c)
        .join('');
      const afterPhoneWord = PHONE_WORD.test(before);
      // The longest run of groups from here that is a number of a known shape.
      let best: { kind: PersonalDataKind; last: number } | null = null;
      let digits = '';
      for (let j = i; j < groups.length && digits.length + groups[j].digits.length <= LONGEST; j++) {
        digits += groups[j].digits;
        const kind = numberKind(digits, afterPhoneWord);
        if (kind) best = { kind, last: j };
      }
      if (!best) continue;
      const from = chars[groups[i].first].from;
      const to = chars[groups[best.last].last].to;
      found.push({ kind: best.kind, from, to, text: text.slice(from, to) });
      i = best.last;
    }
  }
  return found;
}

function names(text: string, chars: Char[], people: readonly string[]): PersonalDataFinding[] {
  // Spaces typed between a name's characters do not hide it.
  const kept = chars.filter((c) => !/\s/u.test(c.c));
  const haystack = kept.map((c) => c.c.toLowerCase());
  const joined = haystack.join('');
  // Offsets into `joined` per kept character (a normalised character may be more than one UTF-16 unit).
  const offsets: number[] = [];
  let at = 0;
  for (const c of haystack) {
    offsets.push(at);
    at += c.length;
  }
  const found: PersonalDataFinding[] = [];
  for (const person of new Set(people)) {
    const needle = person.normalize('NFKC').replace(/\s+/gu, '').toLowerCase();
    // A one-character "name" would mask ordinary words.
    if ([...needle].length < 2) continue;
    for (let hit = joined.indexOf(needle); hit >= 0; hit = joined.indexOf(needle, hit + 1)) {
      const first = offsets.indexOf(hit);
      const last = offsets.findIndex((o, n) => o + haystack[n].length >= hit + needle.length);
      if (first < 0 || last < 0) continue;
      const from = kept[first].from;
      const to = kept[last].to;
      found.push({ kind: 'name', from, to, text: text.slice(from, to) });
    }
  }
  return found;
}

/**
 * Every phone number, ID number and given person's name in `text`, in order, none overlapping (where two would,
 * the earlier and longer one is kept).
 */
export function findPersonalData(text: string, people: readonly string[] = []): PersonalDataFinding[] {
  if (!text) return [];
  const chars = normalised(text);
  const all = [...numbers(text, chars), ...names(text, chars, people)].sort((a, b) => a.from - b.from || b.to - a.to);
  const out: PersonalDataFinding[] = [];
  for (const f of all) {
    const previous = out[out.length - 1];
    if (previous && f.from < previous.to) {
      // Overlapping findings become one span.
      if (f.to > previous.to) out[out.length - 1] = { ...previous, to: f.to, text: text.slice(previous.from, f.to) };
      continue;
    }
    out.push(f);
  }
  return out;
}

/** `text` with every phone number, ID number and given person's name replaced by "***". */
export function screenPublicText(text: string, people: readonly string[] = []): string {
  const found = findPersonalData(text, people);
  let out = '';
  let at = 0;
  for (const f of found) {
    out += text.slice(at, f.from) + MASK;
    at = f.to;
  }
  return out + text.slice(at);
}

/**
 * The names each case records of people, which public text about the case must not show: the petitioner, the
 * staff member a petition accuses, and the key person's service team (volunteer, professional).
 */
export async function casePeopleNames(db: Queryable, caseIds: readonly string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>(caseIds.map((id) => [id, []]));
  if (caseIds.length === 0) return out;
  const rows = await namesOnCases(db, caseIds);
  for (const row of rows) {
    const list = out.get(row.id) ?? [];
    for (const name of row.names ?? []) if (name && name.trim() && !list.includes(name.trim())) list.push(name.trim());
    out.set(row.id, list);
  }
  return out;
}
