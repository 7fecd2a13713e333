using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Hearth.Server.Endpoints;

/// <summary>
/// Checks <c>Authorization: Bearer KEY</c> (or <c>x-api-key: KEY</c>, as Anthropic's clients send it). Both sides are hashed to fixed-length digests first and compared with
/// <see cref="CryptographicOperations.FixedTimeEquals"/>, so neither the key's content nor its length leaks through timing.
/// </summary>
internal sealed class ApiKeyCheck
{
    private readonly byte[] _expected;

    public ApiKeyCheck(string key) => _expected = SHA256.HashData(Encoding.UTF8.GetBytes(key));

    public bool IsAuthorized(HttpRequest request)
    {
        string? header = request.Headers.Authorization;
        const string Scheme = "Bearer ";
        if (header is null || !header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            // Anthropic's SDKs send the key as x-api-key.
            string? apiKey = request.Headers["x-api-key"];
            return apiKey is not null && Matches(apiKey.Trim());
        }
        return Matches(header[Scheme.Length..].Trim());
    }

    private bool Matches(string key) => CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(key)), _expected);
}
