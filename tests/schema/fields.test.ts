import { z } from "zod";
import { defaultPersonaSchema, describePersonaFields, parsePersona } from "../../src/index.js";
import { getFieldValue, withFieldValue } from "../../src/schema/fields.js";

describe("persona schema fields", () => {
  it("lists the default schema's 18 leaf fields with kinds and choices", () => {
    const fields = describePersonaFields(defaultPersonaSchema);
    expect(fields).toHaveLength(18);
    const byPath = Object.fromEntries(fields.map((field) => [field.path, field]));
    expect(byPath["Demographics.Age"].kind).toBe("number");
    expect(byPath["Demographics.Language"].kind).toBe("list");
    expect(byPath["Personality.Extraversion_or_Introversion"]).toMatchObject({ kind: "choice", choices: ["E", "I"] });
    expect(byPath["Preference.Preferred_Styles"]).toMatchObject({ kind: "text" });
    expect(byPath["Pattern.Usage_Pattern"].description).toMatch(/how often/i);
  });

  it("accepts any zod object, flat or nested, and rejects non-objects", () => {
    const custom = z.object({ nickname: z.string().optional(), diet: z.object({ vegan: z.boolean().optional() }) });
    expect(describePersonaFields(custom).map((field) => field.path)).toEqual(["nickname", "diet.vegan"]);
    expect(() => describePersonaFields(z.string())).toThrow(/must be a zod object/);
    expect(() => describePersonaFields(z.object({ "a.b": z.string() }))).toThrow(/cannot contain "."/);
  });

  it("sets and clears nested values without mutating the input", () => {
    const start = { Demographics: { Name: "A" } };
    const set = withFieldValue(start, ["Demographics", "Age"], 30);
    expect(set).toEqual({ Demographics: { Name: "A", Age: 30 } });
    expect(start).toEqual({ Demographics: { Name: "A" } });
    const cleared = withFieldValue(withFieldValue(set, ["Demographics", "Age"], undefined), ["Demographics", "Name"], undefined);
    expect(cleared).toEqual({});
    expect(getFieldValue(set, ["Demographics", "Age"])).toBe(30);
    expect(getFieldValue(set, ["Nope", "x"])).toBeUndefined();
  });

  it("parses a custom schema field by field, keeping the good fields", () => {
    const schema = z.object({ city: z.string().optional(), age: z.number().optional(), tags: z.array(z.string()).optional() });
    const parsed = parsePersona({ city: "Oslo", age: "old", tags: ["a", "无"], extra: 1 }, schema);
    expect(parsed.persona).toEqual({ city: "Oslo", tags: ["a"] });
    expect(parsed.issues.map((issue) => issue.path)).toEqual(["age"]);
    expect(parsed.unknownKeys).toEqual(["extra"]);
  });
});
