using Xunit;

namespace Netstack.Store.Tests;

public sealed class StoreKeysTests
{
    [Theory]
    [InlineData("a", "b")]
    [InlineData("networks/", "networks0")]
    [InlineData("", null)]
    public void PrefixEnd_IsSmallestKeyAfterThePrefix(string prefix, string? expected)
    {
        Assert.Equal(expected, StoreKeys.PrefixEnd(prefix));
    }
}
