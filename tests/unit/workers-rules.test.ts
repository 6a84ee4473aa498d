import { decideClosing } from '../../workers/close-case';
import { publicOutcome } from '../../workers/publish-notice';
import { ratingLinkText } from '../../domain/rating-links';
import { durationMs } from '../../domain/cases';

describe('close-case rule (不解决不销号)', () => {
  it('when the matter is not resolved, then the case is not closed', () => {
    expect(decideClosing({ resolved: false, rating: 'satisfied', handlingRound: 1 }).close).toBe(false);
    expect(decideClosing({ resolved: undefined, rating: 'satisfied', handlingRound: 3 }).close).toBe(false);
  });

  it('when the petitioner is dissatisfied before the final round, then the case is not closed', () => {
    expect(decideClosing({ resolved: true, rating: 'dissatisfied', handlingRound: 1 }).close).toBe(false);
    expect(decideClosing({ resolved: true, rating: 'dissatisfied', handlingRound: 2 }).close).toBe(false);
  });

  it('when resolved and satisfied or basically satisfied, then it closes; dissatisfied after the street office, it closes with the review remedy', () => {
    expect(decideClosing({ resolved: true, rating: 'satisfied', handlingRound: 1 })).toEqual({
      close: true,
      reason: 'resolved',
    });
    expect(decideClosing({ resolved: true, rating: 'basically-satisfied', handlingRound: 2 })).toEqual({
      close: true,
      reason: 'resolved',
    });
    expect(decideClosing({ resolved: true, rating: 'dissatisfied', handlingRound: 3 })).toEqual({
      close: true,
      reason: 'review-remedy',
    });
  });
});

describe('notice board outcome', () => {
  it('when the result mentions a phone or ID number, then it is removed', () => {
    expect(publicOutcome({ result: '已联系13812345678维修电梯，身份证110101199003071234' })).toBe(
      '已联系***维修电梯，身份证***',
    );
  });
  it('when no result was written, then the outcome says it was handled', () => {
    expect(publicOutcome({})).toBe('已办结');
  });
});

describe('rating link text and durations', () => {
  it('says the case number, the link and until when it is valid, in Chinese', () => {
    const text = ratingLinkText('XF-2026-0001', 'https://x.example/rate/abc', new Date('2026-12-02T04:00:00Z'));
    expect(text).toContain('XF-2026-0001');
    expect(text).toContain('https://x.example/rate/abc');
    expect(text).toContain('2026年12月2日 12:00前有效');
  });
  it('reads day and hour durations, and refuses others clearly', () => {
    expect(durationMs('P3D')).toBe(3 * 86_400_000);
    expect(durationMs('PT24H')).toBe(86_400_000);
    expect(() => durationMs('P1Y')).toThrow(/not a duration in days or hours/);
  });
});
