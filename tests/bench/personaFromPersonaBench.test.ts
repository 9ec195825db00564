import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { personaFromPersonaBench } from "../../src/bench.js";
import { isUnknownValue } from "../../src/index.js";

const golden = {
  Demographics: {
    Age: 50,
    Gender: "女",
    Nationality: "中国",
    Language: ["中文", "English"],
    Career_Information: "  Teaches Chinese at a middle school ",
    Name: "张伟",
  },
  Personality: {
    Extraversion_or_Introversion: "I",
    Sensing_or_Intuition: "n",
    Thinking_or_Feeling: "F",
    Judging_or_Perceiving: "P",
    Values_and_Interests: ["classical poetry", "书法", "None"],
  },
  Pattern: {
    Behavior_Engagement_Pattern: "Talks about literature",
    Usage_Pattern: "Occasional",
    Emotion_Pattern: "None",
    Purchase_Pattern: null,
  },
  Preference: { Preferred_Styles: "Elegant", Preferred_Format: "Text first", Preferred_Workflows: "无" },
};

/** Every known golden value must reappear unchanged (strings trimmed, unknown list items dropped). */
function expectLossless(source: Record<string, Record<string, unknown>>, mapped: Record<string, unknown>) {
  let compared = 0;
  for (const [group, values] of Object.entries(source)) {
    for (const [field, value] of Object.entries(values ?? {})) {
      const target = field === "Preferred_Format" ? "Preferred_Formats" : field;
      const got = (mapped[group] as Record<string, unknown> | undefined)?.[target];
      if (isUnknownValue(value)) {
        expect(got).toBeUndefined();
        continue;
      }
      const expected = Array.isArray(value)
        ? value.filter((item) => !isUnknownValue(item)).map((item) => String(item).trim())
        : typeof value === "string"
          ? ["Extraversion_or_Introversion", "Sensing_or_Intuition", "Thinking_or_Feeling", "Judging_or_Perceiving"].includes(field)
            ? value.trim().toUpperCase()
            : value.trim()
          : value;
      expect({ field: `${group}.${target}`, value: got }).toEqual({ field: `${group}.${target}`, value: expected });
      compared++;
    }
  }
  return compared;
}

describe("personaFromPersonaBench", () => {
  it("maps a golden persona into the default schema without loss", () => {
    const { persona, issues, unknownKeys } = personaFromPersonaBench(golden);
    expect(issues).toEqual([]);
    expect(unknownKeys).toEqual([]);
    expect(expectLossless(golden, persona)).toBe(15);
    expect(persona).toMatchObject({
      Preference: { Preferred_Styles: "Elegant", Preferred_Formats: "Text first" },
      Personality: { Sensing_or_Intuition: "N", Values_and_Interests: ["classical poetry", "书法"] },
    });
    expect((persona.Pattern as Record<string, unknown>).Emotion_Pattern).toBeUndefined();
  });

  it("reports values that do not fit instead of dropping them silently", () => {
    const { persona, issues } = personaFromPersonaBench({
      Demographics: { Age: "very old", Name: "Ann" },
      Personality: { Thinking_or_Feeling: "Feeling" },
    });
    expect(issues.map((issue) => issue.path)).toEqual(["Demographics.Age", "Personality.Thinking_or_Feeling"]);
    expect(issues[0].value).toBe("very old");
    expect(persona).toEqual({ Demographics: { Name: "Ann" } });
  });

  it("reports fields the schema does not know", () => {
    const { unknownKeys } = personaFromPersonaBench({ Demographics: { Name: "A", Hobby: "chess" } });
    expect(unknownKeys).toEqual(["Demographics.Hobby"]);
  });

  const sample = join(__dirname, "../../../shared/personabench/raw");
  const haveSample = existsSync(sample);
  (haveSample ? it : it.skip)("maps every golden persona of the PersonaBench sample without loss", () => {
    const files = readdirSync(sample).filter((file) => file.endsWith(".json"));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const raw = JSON.parse(readFileSync(join(sample, file), "utf8"));
      const groups = Object.fromEntries(
        ["Demographics", "Personality", "Pattern", "Preference"].map((group) => [group, raw[group]]),
      );
      const { persona, issues, unknownKeys } = personaFromPersonaBench(groups);
      expect({ file, issues, unknownKeys }).toEqual({ file, issues: [], unknownKeys: [] });
      expectLossless(groups, persona);
    }
  });
  if (!haveSample) {
    // eslint-disable-next-line no-console
    console.log(`skipping the PersonaBench sample test: ${sample} not present`);
  }
});
