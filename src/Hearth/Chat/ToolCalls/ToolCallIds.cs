using System.Security.Cryptography;

namespace Hearth.Chat.ToolCalls;

/// <summary>Ids for tool calls the model did not name itself.</summary>
internal static class ToolCallIds
{
    private const string Alphanumerics = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

    /// <summary><c>call_</c> and 24 random alphanumerics, the shape OpenAI's ids have.</summary>
    public static string OpenAiStyle() => "call_" + RandomNumberGenerator.GetString(Alphanumerics, 24);

    /// <summary>9 random alphanumerics: Mistral's templates raise an exception for any other id.</summary>
    public static string Mistral() => RandomNumberGenerator.GetString(Alphanumerics, 9);
}
