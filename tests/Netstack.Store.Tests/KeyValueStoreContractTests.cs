using System.Text;
using Netstack.Core.Storage;
using Xunit;

namespace Netstack.Store.Tests;

/// <summary>Behaviour every <see cref="IKeyValueStore"/> must have; run against each implementation.</summary>
public abstract class KeyValueStoreContractTests : IAsyncLifetime
{
    protected IKeyValueStore Store { get; set; } = null!;

    protected abstract Task<IKeyValueStore> CreateStoreAsync();

    public async Task InitializeAsync() => Store = await CreateStoreAsync();

    public virtual async Task DisposeAsync() => await Store.DisposeAsync();

    protected static byte[] Bytes(string s) => Encoding.UTF8.GetBytes(s);

    protected static string Text(KeyValueEntry? e) => e is null ? "<none>" : Encoding.UTF8.GetString(e.Value.Span);

    [Fact]
    public async Task Get_MissingKey_ReturnsNull()
    {
        Assert.Null(await Store.GetAsync("networks/none"));
    }

    [Fact]
    public async Task Put_ThenGet_ReturnsValueWithRevisions()
    {
        var r1 = await Store.PutAsync("a", Bytes("one"));
        var r2 = await Store.PutAsync("a", Bytes("two"));

        var entry = await Store.GetAsync("a");
        Assert.Equal("two", Text(entry));
        Assert.True(r2 > r1);
        Assert.Equal(r2, entry!.Revision);
        Assert.Equal(r1, entry.CreateRevision);
    }

    [Fact]
    public async Task Put_ExpectedZeroOnExistingKey_ThrowsConflictAndKeepsValue()
    {
        await Store.PutAsync("names/web", Bytes("id1"), expectedRevision: 0);

        var e = await Assert.ThrowsAsync<StoreConflictException>(() => Store.PutAsync("names/web", Bytes("id2"), expectedRevision: 0));
        Assert.Equal("names/web", e.Key);
        Assert.Equal("id1", Text(await Store.GetAsync("names/web")));
    }

    [Fact]
    public async Task Put_StaleRevision_ThrowsConflict()
    {
        var r1 = await Store.PutAsync("k", Bytes("1"));
        var r2 = await Store.PutAsync("k", Bytes("2"), expectedRevision: r1);

        await Assert.ThrowsAsync<StoreConflictException>(() => Store.PutAsync("k", Bytes("3"), expectedRevision: r1));
        Assert.Equal("2", Text(await Store.GetAsync("k")));
        Assert.Equal(r2, (await Store.GetAsync("k"))!.Revision);
    }

    [Fact]
    public async Task Delete_WithRevision_OnlyWhenUnchanged()
    {
        var r1 = await Store.PutAsync("k", Bytes("1"));
        await Store.PutAsync("k", Bytes("2"));

        await Assert.ThrowsAsync<StoreConflictException>(() => Store.DeleteAsync("k", r1));
        Assert.NotNull(await Store.GetAsync("k"));

        var current = (await Store.GetAsync("k"))!.Revision;
        Assert.True(await Store.DeleteAsync("k", current));
        Assert.Null(await Store.GetAsync("k"));
        Assert.False(await Store.DeleteAsync("k"));
    }

    [Fact]
    public async Task List_ReturnsOnlyPrefix_InKeyOrder()
    {
        await Store.PutAsync("endpoints/n2/e1", Bytes("x"));
        await Store.PutAsync("endpoints/n1/e2", Bytes("x"));
        await Store.PutAsync("endpoints/n1/e1", Bytes("x"));
        await Store.PutAsync("endpoints/n10/e1", Bytes("x"));
        await Store.PutAsync("endpointsX", Bytes("x"));

        var keys = (await Store.ListAsync("endpoints/n1/")).Select(e => e.Key).ToArray();

        Assert.Equal(["endpoints/n1/e1", "endpoints/n1/e2"], keys);
        Assert.Equal(5, (await Store.ListAsync("")).Count);
    }

    [Fact]
    public async Task Commit_AllConditionsHold_AppliesEveryOperationAtOneRevision()
    {
        var ra = await Store.PutAsync("a", Bytes("1"));
        await Store.PutAsync("gone", Bytes("x"));

        var result = await Store.CommitAsync(new StoreTransaction()
            .IfRevision("a", ra).IfAbsent("b")
            .Put("a", Bytes("2")).Put("b", Bytes("new")).Delete("gone"));

        Assert.True(result.Succeeded);
        Assert.Equal("2", Text(await Store.GetAsync("a")));
        Assert.Equal("new", Text(await Store.GetAsync("b")));
        Assert.Null(await Store.GetAsync("gone"));
        Assert.Equal(result.Revision, (await Store.GetAsync("a"))!.Revision);
        Assert.Equal(result.Revision, (await Store.GetAsync("b"))!.Revision);
    }

    [Fact]
    public async Task Commit_OneConditionFails_ChangesNothing()
    {
        var ra = await Store.PutAsync("a", Bytes("1"));
        await Store.PutAsync("b", Bytes("exists"));

        var result = await Store.CommitAsync(new StoreTransaction()
            .IfRevision("a", ra).IfAbsent("b")
            .Put("a", Bytes("2")).Put("c", Bytes("3")));

        Assert.False(result.Succeeded);
        Assert.Equal("1", Text(await Store.GetAsync("a")));
        Assert.Null(await Store.GetAsync("c"));
    }

    [Fact]
    public async Task Commit_SameKeyTwice_IsRejected()
    {
        await Assert.ThrowsAsync<Netstack.Core.InvalidParameterException>(() =>
            Store.CommitAsync(new StoreTransaction().Put("a", Bytes("1")).Delete("a")));
    }

    [Fact]
    public async Task ConcurrentCreateOnlyPuts_ExactlyOneWins()
    {
        var tasks = Enumerable.Range(0, 50).Select(async i =>
        {
            try
            {
                await Store.PutAsync("ipam/addr/10.0.0.2", Bytes(i.ToString(System.Globalization.CultureInfo.InvariantCulture)), expectedRevision: 0);
                return true;
            }
            catch (StoreConflictException)
            {
                return false;
            }
        });

        var results = await Task.WhenAll(tasks);

        Assert.Equal(1, results.Count(r => r));
    }

    [Fact]
    public async Task ConcurrentCasIncrements_NoUpdateIsLost()
    {
        await Store.PutAsync("counter", Bytes("0"));
        var tasks = Enumerable.Range(0, 40).Select(async _ =>
        {
            while (true)
            {
                var entry = (await Store.GetAsync("counter"))!;
                var next = int.Parse(Text(entry), System.Globalization.CultureInfo.InvariantCulture) + 1;
                try
                {
                    await Store.PutAsync("counter", Bytes(next.ToString(System.Globalization.CultureInfo.InvariantCulture)), entry.Revision);
                    return;
                }
                catch (StoreConflictException)
                {
                    // someone else moved it: read again
                }
            }
        });

        await Task.WhenAll(tasks);

        Assert.Equal("40", Text(await Store.GetAsync("counter")));
    }

    [Theory]
    [InlineData("")]
    [InlineData("bad\nkey")]
    public async Task Put_InvalidKey_NamesTheKey(string key)
    {
        var e = await Assert.ThrowsAsync<Netstack.Core.InvalidParameterException>(() => Store.PutAsync(key, Bytes("x")));
        Assert.Equal("key", e.Field);
    }
}

public sealed class InMemoryKeyValueStoreTests : KeyValueStoreContractTests
{
    protected override Task<IKeyValueStore> CreateStoreAsync() => Task.FromResult<IKeyValueStore>(new InMemoryKeyValueStore());
}
