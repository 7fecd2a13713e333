using System.Text.Json;

namespace Hearth.Tests.Api;

/// <summary>The stories260K model and what llama.cpp recorded for it (testdata/gguf/expected).</summary>
internal static class Stories
{
    public static string ModelPath => TestData.PathOf("gguf/stories260K.gguf");

    public static Model Load(int threads = 1) => Model.Load(ModelPath, new ModelOptions { Threads = threads });

    /// <summary>llama.cpp's 64 greedy tokens and their text after "Once upon a time".</summary>
    public static (int[] PromptTokens, int[] GreedyTokens, string GreedyText) OnceUponATime()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(TestData.PathOf("gguf/expected/stories260K.once-upon-a-time.json")));
        var root = doc.RootElement;
        return (Ints(root.GetProperty("prompt_tokens")), Ints(root.GetProperty("greedy_tokens")), root.GetProperty("greedy_text").GetString()!);
    }

    private static int[] Ints(JsonElement array)
    {
        var result = new int[array.GetArrayLength()];
        int i = 0;
        foreach (var e in array.EnumerateArray()) result[i++] = e.GetInt32();
        return result;
    }
}
