using System.CommandLine;
using Netstack.Api.Client;

namespace Netstack.Cli.Parsing;

/// <summary>Option validators that turn a bad flag value into a parse error naming the flag and the value.</summary>
internal static class Validate
{
    public static T Each<T>(this T option, Func<string, string?> check)
        where T : Option
    {
        option.Validators.Add(result =>
        {
            foreach (var token in result.Tokens)
            {
                if (check(token.Value) is { } why)
                {
                    result.AddError($"invalid argument '{token.Value}' for {option.Name}: {why}");
                }
            }
        });
        return option;
    }

    public static string? KeyValue(string value) =>
        value.IndexOf('=', StringComparison.Ordinal) > 0 ? null : "expected KEY=VALUE";

    public static string? Cidr(string value) =>
        Parsing.Cidr.TryParse(value, out _) ? null : "not an address with a prefix length (e.g. 10.1.0.0/24)";

    public static string? Ip(string value) =>
        StrictAddress.TryParse(value, out _) ? null : "not an IP address";

    public static string? AuxAddress(string value)
    {
        var eq = value.IndexOf('=', StringComparison.Ordinal);
        if (eq <= 0)
        {
            return "expected NAME=IP";
        }
        return StrictAddress.TryParse(value.AsSpan(eq + 1), out _) ? null : $"'{value[(eq + 1)..]}' is not an IP address";
    }

    public static string? PortSpec(string value)
    {
        try
        {
            Api.Ports.PortSpec.Parse(value);
            return null;
        }
        catch (FormatException e)
        {
            return e.Message;
        }
    }

    public static string? Format(string value) =>
        value is "json" or "table" ? null : "expected json or table";
}
