/**
 * Zeebe's message buffering: a message with a time to live stays buffered until it expires, also after it was
 * correlated, and reaches each process at most once (an instance of another process that opens a matching
 * subscription later gets it; a second instance of the same process does not); a message id is unique among the
 * buffered messages of its name and correlation key (409 ALREADY_EXISTS), and free again once that one expired.
 */
import { deploy, now, startEngine, TEST_EPOCH, until, type Any, type EngineHarness } from '../../support/engine';

describe('message buffering and ids (Zeebe semantics, strict validation)', () => {
  let h: EngineHarness;
  let c: Any;
  beforeAll(async () => {
    h = await startEngine();
    c = h.client;
    await deploy(c, 'message-catch.bpmn', 'message-catch-other.bpmn');
  });
  afterAll(() => h.stop());
  beforeEach(() => c.pinClock({ timestamp: TEST_EPOCH }));
  afterEach(() => c.resetClock());

  const start = async (processDefinitionId: string, caseId: string): Promise<string> =>
    (await c.createProcessInstance({ processDefinitionId, variables: { caseId } })).processInstanceKey;
  const stateOf = async (processInstanceKey: string): Promise<string> =>
    (await c.getProcessInstance({ processInstanceKey }, now)).state;
  const publish = (correlationKey: string, messageId?: string, timeToLive = 60_000) =>
    c.publishMessage({
      name: 'satisfaction-rated',
      correlationKey,
      timeToLive,
      ...(messageId ? { messageId } : {}),
      variables: { rating: 'satisfied' },
    });
  async function failure(promise: Promise<unknown>): Promise<{ status?: number; title?: string; detail?: string }> {
    try {
      await promise;
    } catch (error) {
      return error as { status?: number; title?: string };
    }
    throw new Error('expected the call to fail');
  }

  it('when a message with a time to live is correlated, then it stays buffered for another process reached later, but not for a second instance of the same process', async () => {
    // given
    const first = await start('message-catch', 'msg-buf-1');
    // when
    await publish('msg-buf-1');
    // then
    await until(async () => (await stateOf(first)) === 'COMPLETED');
    // when another process and a second instance of the first one wait for it, within its time to live
    const other = await start('message-catch-other', 'msg-buf-1');
    const second = await start('message-catch', 'msg-buf-1');
    // then the other process gets it, the second instance of the same process does not
    await until(async () => (await stateOf(other)) === 'COMPLETED');
    expect(await stateOf(second)).toBe('ACTIVE');
    // and once it expired, nothing more gets it
    await c.pinClock({ timestamp: TEST_EPOCH + 120_000 });
    expect(await stateOf(second)).toBe('ACTIVE');
    await c.cancelProcessInstance({ processInstanceKey: second });
  });

  it('when a message id is published again while the first is buffered, then it is refused ALREADY_EXISTS; with another correlation key, or once the first expired, it is published', async () => {
    // given
    await publish('msg-id-1', 'rating-msg-id-1');
    // when
    const again = await failure(publish('msg-id-1', 'rating-msg-id-1'));
    // then
    expect(again).toMatchObject({ status: 409, title: 'ALREADY_EXISTS' });
    await expect(publish('msg-id-2', 'rating-msg-id-1')).resolves.toHaveProperty('messageKey');
    // when the first expired
    await c.pinClock({ timestamp: TEST_EPOCH + 120_000 });
    await expect(publish('msg-id-1', 'rating-msg-id-1')).resolves.toHaveProperty('messageKey');
  });

  it('when a message without a time to live is published twice with one id, then both are published (nothing is buffered to be unique against)', async () => {
    // given
    const pik = await start('message-catch', 'msg-id-ttl0');
    // when
    await publish('msg-id-ttl0', 'rating-ttl0', 0);
    await publish('msg-id-ttl0', 'rating-ttl0', 0);
    // then
    await until(async () => (await stateOf(pik)) === 'COMPLETED');
  });
});
