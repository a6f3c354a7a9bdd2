import { describe, expect, it } from 'vitest';
import { orderQuestions } from '../../../source/core/scheduler/order.js';
import { createRandom } from '../../../source/core/scheduler/random.js';

describe('orderQuestions', () => {
  const questions = ['q0', 'q1', 'q2', 'q3', 'q4', 'q5'];

  it('sets the first questions aside as warm-up and limits the measured ones after them', () => {
    expect(orderQuestions(questions, { warmup: 2, limit: 3 })).toEqual({ warmup: ['q0', 'q1'], measured: ['q2', 'q3', 'q4'] });
  });

  it('never asks more than there are', () => {
    expect(orderQuestions(questions, { warmup: 10, limit: 3 })).toEqual({ warmup: questions, measured: [] });
    expect(orderQuestions(questions, { limit: 100 }).measured).toEqual(questions);
  });

  it('shuffles reproducibly with the seed', () => {
    const a = orderQuestions(questions, { shuffle: true, random: createRandom(5) });
    const b = orderQuestions(questions, { shuffle: true, random: createRandom(5) });
    expect(a).toEqual(b);
    expect(a.measured).not.toEqual(questions);
  });

  it('repeats the measured questions pass after pass in the same order, warm-up excluded, cut at the limit', () => {
    const questions = ['q0', 'q1', 'q2', 'q3'];
    expect(orderQuestions(questions, { warmup: 1, repeat: 3 }).measured).toEqual(['q1', 'q2', 'q3', 'q1', 'q2', 'q3', 'q1', 'q2', 'q3']);
    expect(orderQuestions(questions, { warmup: 1, repeat: 3, limit: 5 }).measured).toEqual(['q1', 'q2', 'q3', 'q1', 'q2']);
    expect(orderQuestions(questions, { repeat: 1 }).measured).toEqual(questions);
  });
});
