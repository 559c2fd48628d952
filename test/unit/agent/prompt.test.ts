// The system prompt a hosted model (Bedrock, OpenAI) gets: the "this task" rule in words, and the
// two candidates it names (the page's selected task, the tasks just named) in the context line.
import { describe, expect, it } from 'vitest';
import { readPromptContext, systemPrompt } from '../../../functions/shared/core/agent/prompt';

describe('systemPrompt', () => {
  const context = { today: '2025-01-01', page: { page: 'Chat', taskId: 'task-milk' }, recentTasks: [{ id: 'task-rent', title: 'pay rent' }] };
  const prompt = systemPrompt(context);

  it('tells the model which task "this task" and "it" mean, and to ask before a delete when they differ', () => {
    expect(prompt).toMatch(/"this task".*page's selected task \(page\.taskId/);
    expect(prompt).toMatch(/"it" or "that" right after you named exactly one task .* is that task/);
    expect(prompt).toMatch(/differ and the user asks to delete, ask which one/);
  });

  it('carries both candidates in the context the rules model also reads', () => {
    expect(readPromptContext(prompt)).toEqual(context);
  });
});
