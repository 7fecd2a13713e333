using System.Text.Json;

namespace Hearth.Tests.Oracle;

/// <summary>
/// One recorded llama.cpp run from testdata/gguf/expected/*.json (llama.cpp c392e50, 1 thread, greedy by argmax over
/// raw logits; logits printed with %.7g, top-k lists with %.6g).
/// </summary>
internal sealed record ExpectedRun(
    string FileName,
    string Model,             // file name in testdata/gguf
    string Prompt,
    bool AddSpecial,
    bool ParseSpecial,
    int VocabSize,
    int[] PromptTokens,
    (int Token, float Logit)[][] PromptLogitsTopK, // [n_prompt][10], best first
    float[] LastPromptLogits,                     // [n_vocab] after the whole prompt
    (int Token, float Logit)[][] GreedyStepTopK,  // [n_greedy][10]: logits that chose each greedy token
    int[] GreedyTokens,
    string GreedyText)
{
    /// <summary>Every recording in testdata/gguf/expected, by file name.</summary>
    public static IEnumerable<string> AllFileNames() =>
        Directory.EnumerateFiles(TestData.PathOf("gguf/expected"), "*.json").Select(Path.GetFileName).Order()!;

    public string ModelPath => TestData.PathOf("gguf/" + Model);

    public static ExpectedRun Load(string fileName)
    {
        string path = TestData.PathOf("gguf/expected/" + fileName);
        using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
        JsonElement root = doc.RootElement;
        return new ExpectedRun(
            fileName,
            root.GetProperty("model").GetString()!,
            root.GetProperty("prompt").GetString()!,
            root.GetProperty("add_special").GetBoolean(),
            root.GetProperty("parse_special").GetBoolean(),
            root.GetProperty("n_vocab").GetInt32(),
            Ints(root.GetProperty("prompt_tokens")),
            root.GetProperty("prompt_logits_topk").EnumerateArray().Select(TopK).ToArray(),
            root.GetProperty("last_prompt_logits_full").EnumerateArray().Select(e => e.GetSingle()).ToArray(),
            root.GetProperty("greedy_steps").EnumerateArray().Select(s => TopK(s.GetProperty("top"))).ToArray(),
            Ints(root.GetProperty("greedy_tokens")),
            root.GetProperty("greedy_text").GetString()!);
    }

    private static int[] Ints(JsonElement array) => array.EnumerateArray().Select(e => e.GetInt32()).ToArray();

    private static (int, float)[] TopK(JsonElement list) =>
        list.EnumerateArray().Select(p => (p[0].GetInt32(), p[1].GetSingle())).ToArray();
}
