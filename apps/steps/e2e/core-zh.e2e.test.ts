// Core's explanations in a Chinese page (issue 16): the signaling step opened with ?lang=zh and a
// room name the rules refuse explains it in core's Chinese words (title, the rule, what to do),
// not in the English the CLI and server keep. The page's own labels belong to its tests.
import core from '@workbench/i18n/messages/core/zh-CN.json' with { type: 'json' };
import { englishLeft } from '@workbench/testing';
import { pageSuite } from '@workbench/testing/suite';
import { describe, expect, it } from 'vitest';

const suite = pageSuite();

describe('core explanations in Chinese', () => {
  it('/signaling/?lang=zh with an invalid room name explains the room-name rule in Chinese', async () => {
    const { page, problems } = await suite.open('/signaling/?lang=zh&room=my%20room!');
    const alert = page.getByRole('alert');
    await expect.poll(() => alert.locator('.title').innerText()).toBe(core.core_invalid_room_name_title);
    const text = await alert.innerText();
    expect(text).toContain(core.core_invalid_room_name_detail);
    expect(text).toContain(core.core_invalid_room_name_fix);
    expect(text).toContain('INVALID_ROOM_NAME'); // the code stays as it is
    expect(text).not.toContain('Invalid room name');
    // Core's parts of the panel: its title and what happened (the panel's own label is the UI's).
    expect(await englishLeft(page, ['[role=alert] .title', '[role=alert] p:nth-of-type(2)'])).toEqual([]);
    expect(problems()).toEqual([]);
  });
});
