using System.Net;
using Netstack.Core;
using Xunit;

namespace Netstack.Controller.Tests;

public sealed class ObjectIdTests
{
    [Fact]
    public void New_Is64LowerHexAndRandom()
    {
        var a = ObjectId.New();
        var b = ObjectId.New();

        Assert.True(ObjectId.IsFull(a));
        Assert.Matches("^[0-9a-f]{64}$", a);
        Assert.NotEqual(a, b);
        Assert.Equal(a[..12], ObjectId.Short(a));
    }

    [Theory]
    [InlineData("abc", true)]
    [InlineData("ABC", false)]
    [InlineData("xyz", false)]
    [InlineData("", false)]
    public void IsPrefix_AcceptsOnlyLowerHex(string value, bool expected) => Assert.Equal(expected, ObjectId.IsPrefix(value));
}

public sealed class UndoStackTests
{
    [Fact]
    public async Task Rollback_RunsUndosInReverse_AndKeepsGoingAfterAFailure()
    {
        var order = new List<string>();
        var undo = new UndoStack();
        undo.Push("first", () => order.Add("first"));
        undo.Push("second", () => throw new InvalidOperationException("boom"));
        undo.Push("third", () => order.Add("third"));

        var errors = await undo.RollbackAsync();

        Assert.Equal(["third", "first"], order);
        var error = Assert.Single(errors);
        Assert.Contains("second", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dispose_AfterCommit_RunsNothing_WithoutCommit_RollsBack()
    {
        var ran = 0;
        await using (var committed = new UndoStack())
        {
            committed.Push("x", () => ran++);
            committed.Commit();
        }
        Assert.Equal(0, ran);

        await using (var failed = new UndoStack())
        {
            failed.Push("x", () => ran++);
        }
        Assert.Equal(1, ran);
    }

    [Fact]
    public async Task Teardown_TriesEveryStep_ThenReportsAllFailures()
    {
        var teardown = new Teardown("remove network web");
        var ran = new List<int>();
        await teardown.StepAsync("one", () => throw new InvalidOperationException("e1"));
        teardown.Step("two", () => ran.Add(2));
        teardown.Step("three", () => throw new InvalidOperationException("e3"));

        var e = Assert.Throws<TeardownException>(teardown.ThrowIfFailed);

        Assert.Equal([2], ran);
        Assert.Equal(2, e.Errors.Count);
        Assert.Contains("one: e1", e.Message, StringComparison.Ordinal);
        Assert.Contains("three: e3", e.Message, StringComparison.Ordinal);
        Assert.Equal(ErrorCategory.Internal, e.Category);
    }
}

public sealed class ModelTests
{
    [Theory]
    [InlineData("172.18.0.2/16", "172.18.0.0/16")]
    [InlineData("fd00::5/64", "fd00::/64")]
    public void CidrAddress_KeepsHostBits_AndKnowsItsNetwork(string text, string network)
    {
        var cidr = CidrAddress.Parse(text);

        Assert.Equal(text, cidr.ToString());
        Assert.Equal(IPNetwork.Parse(network), cidr.Network);
    }

    [Theory]
    [InlineData("10.0.0.1")]
    [InlineData("10.0.0.1/33")]
    [InlineData("nonsense/8")]
    public void CidrAddress_RejectsBadText(string text) => Assert.False(CidrAddress.TryParse(text, out _));

    [Fact]
    public void TryParseNetwork_RejectsHostBits()
    {
        Assert.True(IPNetworkMath.TryParseNetwork("10.0.0.0/24", out _));
        Assert.False(IPNetworkMath.TryParseNetwork("10.0.0.1/24", out _));
    }

    [Theory]
    [InlineData(ErrorCategory.InvalidParameter, 400)]
    [InlineData(ErrorCategory.NotFound, 404)]
    [InlineData(ErrorCategory.Conflict, 409)]
    [InlineData(ErrorCategory.Unavailable, 503)]
    [InlineData(ErrorCategory.Internal, 500)]
    public void Categories_MapToDockerStatusCodes(ErrorCategory category, int status) => Assert.Equal(status, category.ToHttpStatusCode());

    [Fact]
    public void InvalidParameter_MessageNamesFieldAndValue()
    {
        var e = new InvalidParameterException("subnet", "10.0.0.300/24", "not a CIDR");

        Assert.Equal("invalid subnet \"10.0.0.300/24\": not a CIDR", e.Message);
    }
}
