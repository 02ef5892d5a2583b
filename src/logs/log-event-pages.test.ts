import { describe, expect, it } from 'vitest';
import type { ActionLogEvent } from './action-log-events.js';
import { compileFilterPattern } from './filter-pattern.js';
import { searchPage, streamPage } from './log-event-pages.js';

/** Ten events, one a second from t=1000, `line 0` .. `line 9`. */
function events(count = 10, startMs = 1000): ActionLogEvent[] {
  return Array.from({ length: count }, (_, index) => ({
    index,
    timestampMs: startMs + index * 1000,
    message: `line ${index}\n`,
  }));
}

async function* stream(list: ActionLogEvent[]) {
  for (const event of list) yield await Promise.resolve(event);
}

const messages = (page: { events: { message: string }[] }) =>
  page.events.map((e) => e.message.trim());

describe('streamPage (GetLogEvents)', () => {
  it('returns the last events without a token, the first with startFromHead', async () => {
    expect(messages(await streamPage(stream(events()), { limit: 3 }))).toEqual([
      'line 7',
      'line 8',
      'line 9',
    ]);
    const head = await streamPage(stream(events()), { limit: 3, startFromHead: true });
    expect(messages(head)).toEqual(['line 0', 'line 1', 'line 2']);
    expect(head.events[0]).toEqual({ timestamp: 1000, message: 'line 0\n', ingestionTime: 1000 });
  });

  it('pages forward to the end, where the token comes back unchanged', async () => {
    const seen: string[] = [];
    let token: string | undefined;
    for (let pages = 0; pages < 10; pages++) {
      const page = await streamPage(stream(events()), {
        limit: 4,
        ...(token ? { nextToken: token } : { startFromHead: true }),
      });
      seen.push(...messages(page));
      if (page.nextForwardToken === token) break;
      token = page.nextForwardToken;
    }
    expect(seen).toEqual(events().map((e) => e.message.trim()));
  });

  it('pages backward from the end to the start', async () => {
    const last = await streamPage(stream(events()), { limit: 4 });
    const before = await streamPage(stream(events()), {
      limit: 4,
      nextToken: last.nextBackwardToken,
    });
    expect(messages(before)).toEqual(['line 2', 'line 3', 'line 4', 'line 5']);
    const first = await streamPage(stream(events()), {
      limit: 4,
      nextToken: before.nextBackwardToken,
    });
    expect(messages(first)).toEqual(['line 0', 'line 1']);
    const none = await streamPage(stream(events()), {
      limit: 4,
      nextToken: first.nextBackwardToken,
    });
    expect(none.events).toEqual([]);
    expect(none.nextBackwardToken).toBe(first.nextBackwardToken);
  });

  it('keeps startTime inclusive and endTime exclusive', async () => {
    const page = await streamPage(stream(events()), {
      startTime: 3000,
      endTime: 6000,
      startFromHead: true,
    });
    expect(messages(page)).toEqual(['line 2', 'line 3', 'line 4']);
  });

  it('stops a page at 1 MB', async () => {
    const big = Array.from({ length: 5 }, (_, index) => ({
      index,
      timestampMs: index,
      message: 'x'.repeat(300_000),
    }));
    const page = await streamPage(stream(big), { startFromHead: true });
    expect(page.events).toHaveLength(3);
    expect(page.nextForwardToken).toBe('f/3');
  });

  it('refuses a token it did not make', async () => {
    await expect(streamPage(stream(events()), { nextToken: 'x/1' })).rejects.toThrow(
      /nextToken is not valid/,
    );
  });
});

describe('searchPage (FilterLogEvents)', () => {
  const streams = [
    { logStreamName: 'b', events: () => stream(events(5, 1500)) },
    { logStreamName: 'a', events: () => stream(events(5, 1000)) },
  ];

  it('interleaves the streams by time and pages with nextToken without repeats', async () => {
    const seen: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await searchPage(streams, {
        filter: compileFilterPattern(undefined),
        limit: 3,
        ...(nextToken ? { nextToken } : {}),
      });
      seen.push(...page.events.map((e) => `${e.logStreamName}:${e.message.trim()}`));
      nextToken = page.nextToken;
    } while (nextToken !== undefined);
    expect(seen).toEqual([0, 1, 2, 3, 4].flatMap((i) => [`a:line ${i}`, `b:line ${i}`]));
  });

  it('applies the pattern and an inclusive time range', async () => {
    const page = await searchPage(streams, {
      filter: compileFilterPattern('?3 ?4'),
      startTime: 4000,
      endTime: 4500,
    });
    expect(page.events.map((e) => [e.logStreamName, e.timestamp, e.eventId])).toEqual([
      ['a', 4000, 'a/3'],
      ['b', 4500, 'b/3'],
    ]);
    expect(page.nextToken).toBeUndefined();
  });
});
