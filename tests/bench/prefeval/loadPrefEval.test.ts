import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadPrefEval, parseFillers, parseForms, selectItems } from "../../../src/bench/prefeval/data/loadPrefEval.js";
import { formatProblem } from "../../../src/bench.js";
import { FIXTURE, SHARED_SLICE } from "./helpers.js";

describe("loadPrefEval on the test fixture", () => {
  const loaded = loadPrefEval(FIXTURE);

  test("loads every form and topic, in order, with session 1 built per form", () => {
    expect(loaded.problems).toEqual([]);
    expect(loaded.topics).toEqual(["cooking", "travel"]);
    expect(loaded.items.map((i) => i.id)).toEqual([
      "explicit/cooking/1", "explicit/cooking/2", "explicit/travel/1",
      "choice/cooking/1", "choice/cooking/2", "choice/travel/1",
      "persona/cooking/1", "persona/cooking/2", "persona/travel/1",
    ]);
    const [explicit] = loaded.items;
    expect(explicit.turns).toEqual([{ user: explicit.preference }]);
    const choice = loaded.items.find((i) => i.id === "choice/cooking/1")!;
    expect(choice.turns).toEqual([
      { user: "What should I put in my morning coffee?", assistant: expect.stringContaining("whole milk") },
      { user: expect.stringMatching(/^Oat milk, please/), assistant: "Oat milk it is, a good choice." },
    ]);
    expect(choice.alignedOption).toBe("Oat milk");
    const persona = loaded.items.find((i) => i.id === "persona/cooking/1")!;
    expect(persona.turns.map((t) => t.user)).toEqual([expect.stringMatching(/^My tomatoes/), expect.stringMatching(/^A sauce/), expect.stringMatching(/^Thanks/)]);
    // "turn1", "turn2" keys are read in order too.
    expect(loaded.items.find((i) => i.id === "persona/cooking/2")!.turns[1].user).toMatch(/^I only have a little money/);
  });

  test("fillers: every conversation's exchanges, conversations in file order", () => {
    expect(loaded.fillerConversations).toBe(2);
    expect(loaded.fillers.map((f) => f.user)).toEqual([
      "What is the capital of Australia?", "And its largest city?", "How many states are there?", "Write a haiku about rain.", "Now one about snow.",
    ]);
    expect(loaded.fillers[3]).toMatchObject({ conversationId: "c2", assistant: expect.stringMatching(/^Soft rain/) });
  });

  test("selection by form, topic and items per form and topic; unknown topics are named", () => {
    expect(selectItems(loaded, { forms: ["persona", "explicit"], topics: ["cooking"], items: 1 }).map((i) => i.id)).toEqual(["explicit/cooking/1", "persona/cooking/1"]);
    expect(() => selectItems(loaded, { topics: ["cooking", "gardening"] })).toThrow("unknown topic gardening: the data has cooking, travel");
    expect(loadPrefEval(FIXTURE, { forms: ["choice"] }).items.every((i) => i.form === "choice")).toBe(true);
  });

  test("flag parsers", () => {
    expect(parseForms("persona, explicit,persona")).toEqual(["persona", "explicit"]);
    expect(() => parseForms("implicit")).toThrow('unknown form "implicit": use explicit, choice, persona');
    expect(parseFillers("10,0,5,5")).toEqual([0, 5, 10]);
    expect(() => parseFillers("5,-1")).toThrow('"-1" is not a whole number');
  });
});

describe("loadPrefEval reports malformed files with the file and the field path", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "prefeval-bad-"));
    cpSync(FIXTURE, dir, { recursive: true });
    const edit = (file: string, change: (data: any) => unknown) => {
      const path = join(dir, file);
      writeFileSync(path, JSON.stringify(change(JSON.parse(readFileSync(path, "utf8")))));
    };
    edit("explicit_preference/cooking.json", (items) => {
      delete items[1].question;
      items[0].extra_note = "x";
      return items;
    });
    writeFileSync(join(dir, "explicit_preference/travel.json"), "[ { not json");
    edit("implicit_preference/choice-based/cooking.json", (items) => {
      items[0].options = ["only one"];
      delete items[1].conversation.user_selection;
      return items;
    });
    edit("implicit_preference/choice-based/travel.json", (items) => {
      items[0].aligned_op = "Walk";
      return items;
    });
    edit("implicit_preference/persona-driven/cooking.json", (items) => {
      items[0].conversation["1"] = { user: "hello" };
      items[1].conversation = { first: { user: "a", assistant: "b" } };
      return items;
    });
    writeFileSync(join(dir, "implicit_preference/persona-driven/travel.json"), JSON.stringify({ items: [] }));
    edit("filtered_inter_turns.json", (conversations) => {
      conversations[0].conversation[2].role = "assistant";
      conversations[1].conversation.push({ role: "user", content: "A last question" });
      conversations.push({ conversation_id: "c3", conversation: [{ role: "user", content: "" }, { role: "bot", content: "hi" }] });
      return conversations;
    });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test("every bad item, file and filler conversation is named; good ones are kept with their index", () => {
    const loaded = loadPrefEval(dir);
    const lines = loaded.problems.map(formatProblem);
    expect(lines).toEqual(
      expect.arrayContaining([
        "error explicit_preference/cooking.json: 1.question: Invalid input: expected string, received undefined",
        "warning explicit_preference/cooking.json: extra_note: unknown key in 1 entry; not used",
        expect.stringMatching(/^error explicit_preference\/travel\.json: not valid JSON: /),
        "error implicit_preference/choice-based/cooking.json: 0.options: needs at least two options",
        "error implicit_preference/choice-based/cooking.json: 1.conversation.user_selection: Invalid input: expected string, received undefined",
        "warning implicit_preference/choice-based/travel.json: 0.aligned_op: is not one of the options; kept as is (not used by the protocol)",
        "error implicit_preference/persona-driven/cooking.json: 0.conversation.1.assistant: Invalid input: expected string, received undefined",
        expect.stringMatching(/^error implicit_preference\/persona-driven\/cooking\.json: 1\.conversation\.first: /),
        "error implicit_preference/persona-driven/travel.json: Invalid input: expected array, received object",
        'error filtered_inter_turns.json: 0.conversation.2.role: is "assistant" where a user message belongs (messages must alternate user, assistant); conversation left out',
        "warning filtered_inter_turns.json: 1.conversation.4: a last user message without a reply; left out",
        "error filtered_inter_turns.json: 2.conversation.0.content: must be a non-empty string",
        expect.stringMatching(/^error filtered_inter_turns\.json: 2\.conversation\.1\.role: /),
      ]),
    );
    expect(loaded.items.map((i) => i.id)).toEqual(["explicit/cooking/1", "choice/travel/1"]);
    expect(loaded.fillers.map((f) => f.conversationId)).toEqual(["c2", "c2"]);
  });

  test("a missing form folder, filler file or data folder says what is expected", () => {
    const empty = mkdtempSync(join(tmpdir(), "prefeval-empty-"));
    try {
      const loaded = loadPrefEval(empty, { forms: ["explicit"] });
      expect(loaded.problems.map(formatProblem)).toEqual([
        "error explicit_preference/: missing: no folder for the explicit form (expected explicit_preference/<topic>.json files)",
        "error filtered_inter_turns.json: missing: the filler conversations are needed for any --fillers count above 0",
      ]);
      expect(() => loadPrefEval(join(empty, "nope"))).toThrow(/PrefEval data folder .*nope cannot be read .*pass PrefEval's benchmark_dataset folder/);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});

const describeSlice = existsSync(SHARED_SLICE) ? describe : describe.skip;
if (!existsSync(SHARED_SLICE)) {
  // eslint-disable-next-line no-console
  console.log(`skipping PrefEval slice tests: ${SHARED_SLICE} not present (set PREFEVAL_DATA to PrefEval's benchmark_dataset folder)`);
}

describeSlice("loadPrefEval on the shared PrefEval slice (../shared/prefeval or PREFEVAL_DATA)", () => {
  test("loads all three forms of both topics and the fillers without a problem", () => {
    const loaded = loadPrefEval(SHARED_SLICE);
    expect(loaded.problems.map(formatProblem)).toEqual([]);
    expect(loaded.topics).toEqual(["education_learning_styles", "shop_technology"]);
    const count = (form: string, topic: string) => loaded.items.filter((i) => i.form === form && i.topic === topic).length;
    for (const form of ["explicit", "choice", "persona"]) {
      expect(count(form, "education_learning_styles")).toBe(31);
      expect(count(form, "shop_technology")).toBe(35);
    }
    expect(loaded.fillerConversations).toBe(24);
    expect(loaded.fillers).toHaveLength(316);
    for (const item of loaded.items) {
      expect(item.turns.length).toBeGreaterThan(0);
      if (item.form === "explicit") expect(item.turns).toEqual([{ user: item.preference }]);
      if (item.form === "choice") expect(item.turns).toHaveLength(2);
      if (item.form === "persona") expect(item.turns.length).toBeGreaterThanOrEqual(4);
      // The golden condition stores the preference in a 500-character field.
      expect(item.preference.length).toBeLessThanOrEqual(500);
    }
  });
});
