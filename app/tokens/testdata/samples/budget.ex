defmodule Aiex.Sample.Budget do
  @moduledoc """
  Keeps a running token budget for a conversation and decides which
  context chunks still fit.

  The budget is a plain struct so that callers can keep it in their own
  state; nothing here talks to a process. Chunks are ranked by score and
  taken greedily until the next one would overflow, then the remainder is
  reported so the caller can summarise it instead.

  ## Examples

      iex> budget = Aiex.Sample.Budget.new(1_000, reserve: 200)
      iex> Aiex.Sample.Budget.available(budget)
      800

  """

  alias Aiex.Sample.Chunk

  @enforce_keys [:limit]
  defstruct limit: 0, reserve: 0, used: 0, taken: [], skipped: []

  @type t :: %__MODULE__{
          limit: non_neg_integer(),
          reserve: non_neg_integer(),
          used: non_neg_integer(),
          taken: [Chunk.t()],
          skipped: [Chunk.t()]
        }

  @doc "Creates a budget of `limit` tokens, keeping `:reserve` for the answer."
  @spec new(non_neg_integer(), keyword()) :: t()
  def new(limit, opts \\ []) when is_integer(limit) and limit >= 0 do
    reserve = Keyword.get(opts, :reserve, 0)

    if reserve > limit do
      raise ArgumentError, "reserve (#{reserve}) is larger than the limit (#{limit})"
    end

    %__MODULE__{limit: limit, reserve: reserve}
  end

  @doc "Tokens still available before the reserve."
  @spec available(t()) :: integer()
  def available(%__MODULE__{limit: limit, reserve: reserve, used: used}),
    do: limit - reserve - used

  @doc """
  Takes chunks in order of descending score while they fit.

  Returns `{:ok, budget}` when every chunk fit and `{:partial, budget}`
  when some were skipped; skipped chunks are kept in order of score.
  """
  @spec fill(t(), [Chunk.t()], (String.t() -> non_neg_integer())) ::
          {:ok, t()} | {:partial, t()}
  def fill(%__MODULE__{} = budget, chunks, count_fun) when is_function(count_fun, 1) do
    chunks
    |> Enum.sort_by(& &1.score, :desc)
    |> Enum.reduce(budget, fn chunk, acc -> take(acc, chunk, count_fun) end)
    |> then(fn
      %{skipped: []} = done -> {:ok, %{done | taken: Enum.reverse(done.taken)}}
      partial -> {:partial, %{partial | taken: Enum.reverse(partial.taken), skipped: Enum.reverse(partial.skipped)}}
    end)
  end

  defp take(budget, %Chunk{text: text} = chunk, count_fun) do
    cost = Map.get_lazy(chunk.meta, :tokens, fn -> count_fun.(text) end)

    cond do
      cost <= 0 ->
        budget

      cost <= available(budget) ->
        %{budget | used: budget.used + cost, taken: [%{chunk | meta: Map.put(chunk.meta, :tokens, cost)} | budget.taken]}

      true ->
        %{budget | skipped: [chunk | budget.skipped]}
    end
  end
end

defmodule Aiex.Sample.Chunk do
  @moduledoc "A piece of source code with where it came from and how relevant it is."

  defstruct path: nil, first_line: 1, last_line: 1, text: "", score: 0.0, meta: %{}

  @type t :: %__MODULE__{
          path: Path.t() | nil,
          first_line: pos_integer(),
          last_line: pos_integer(),
          text: String.t(),
          score: float(),
          meta: map()
        }

  @doc """
  Splits `source` into chunks of at most `max_lines` lines, breaking at
  blank lines when it can.
  """
  @spec split(String.t(), Path.t(), pos_integer()) :: [t()]
  def split(source, path, max_lines \\ 60) do
    source
    |> String.split(~r/\r?\n/)
    |> Enum.with_index(1)
    |> Enum.chunk_while([], &collect(&1, &2, max_lines), &flush/1)
    |> Enum.map(fn lines ->
      {_, first} = List.first(lines)
      {_, last} = List.last(lines)
      text = Enum.map_join(lines, "\n", &elem(&1, 0))
      %__MODULE__{path: path, first_line: first, last_line: last, text: text}
    end)
  end

  defp collect({"", _} = line, acc, max) when length(acc) >= div(max, 2),
    do: {:cont, Enum.reverse([line | acc]), []}

  defp collect(line, acc, max) when length(acc) + 1 >= max,
    do: {:cont, Enum.reverse([line | acc]), []}

  defp collect(line, acc, _max), do: {:cont, [line | acc]}

  defp flush([]), do: {:cont, []}
  defp flush(acc), do: {:cont, Enum.reverse(acc), []}
end

defmodule Aiex.Sample.RateLimiter do
  @moduledoc """
  A token bucket per provider, refilled continuously.

  Requests ask for `cost` tokens; if the bucket holds fewer, the caller is
  told how long to wait rather than being blocked, so that a scheduler can
  try another provider meanwhile.
  """
  use GenServer

  require Logger

  @type provider :: atom() | String.t()

  # Client

  def start_link(opts) do
    name = Keyword.get(opts, :name, __MODULE__)
    GenServer.start_link(__MODULE__, opts, name: name)
  end

  @doc "Asks for `cost` tokens from `provider`'s bucket."
  @spec acquire(GenServer.server(), provider(), pos_integer()) ::
          :ok | {:wait, non_neg_integer()} | {:error, :unknown_provider}
  def acquire(server \\ __MODULE__, provider, cost) when cost > 0 do
    GenServer.call(server, {:acquire, provider, cost})
  end

  @doc "Configures a bucket: `capacity` tokens, refilled at `per_minute`."
  def configure(server \\ __MODULE__, provider, capacity, per_minute) do
    GenServer.cast(server, {:configure, provider, capacity, per_minute})
  end

  # Server

  @impl true
  def init(opts) do
    buckets =
      opts
      |> Keyword.get(:buckets, %{})
      |> Map.new(fn {provider, {capacity, per_minute}} ->
        {provider, bucket(capacity, per_minute, now())}
      end)

    {:ok, %{buckets: buckets, clock: Keyword.get(opts, :clock, &now/0)}}
  end

  @impl true
  def handle_call({:acquire, provider, cost}, _from, %{buckets: buckets, clock: clock} = state) do
    case Map.fetch(buckets, provider) do
      :error ->
        {:reply, {:error, :unknown_provider}, state}

      {:ok, b} ->
        b = refill(b, clock.())

        if b.tokens >= cost do
          {:reply, :ok, put_in(state.buckets[provider], %{b | tokens: b.tokens - cost})}
        else
          missing = cost - b.tokens
          wait_ms = ceil(missing * 60_000 / b.per_minute)
          Logger.debug("rate limited #{inspect(provider)}: waiting #{wait_ms} ms for #{missing} tokens")
          {:reply, {:wait, wait_ms}, put_in(state.buckets[provider], b)}
        end
    end
  end

  @impl true
  def handle_cast({:configure, provider, capacity, per_minute}, state) do
    {:noreply, put_in(state.buckets[provider], bucket(capacity, per_minute, state.clock.()))}
  end

  defp bucket(capacity, per_minute, at),
    do: %{capacity: capacity, per_minute: per_minute, tokens: capacity, at: at}

  defp refill(%{at: at} = b, now) when now <= at, do: b

  defp refill(b, now) do
    gained = (now - b.at) * b.per_minute / 60_000
    %{b | tokens: min(b.capacity, b.tokens + gained), at: now}
  end

  defp now, do: System.monotonic_time(:millisecond)
end

defmodule Aiex.Sample.Prompt do
  @moduledoc false

  @system """
  You are a careful Elixir reviewer. Answer with a unified diff only.
  Keep public function names and arities; add @spec for new functions.
  """

  @spec build(String.t(), [Aiex.Sample.Chunk.t()], keyword()) :: [map()]
  def build(question, chunks, opts \\ []) do
    language = Keyword.get(opts, :language, "elixir")

    context =
      for %{path: path, first_line: first, last_line: last, text: text} <- chunks, into: "" do
        """
        ### #{path}:#{first}-#{last}
        ```#{language}
        #{text}
        ```

        """
      end

    [
      %{role: "system", content: @system},
      %{role: "user", content: context <> "\n" <> String.trim(question)}
    ]
  end

  def estimate(messages) do
    Enum.reduce(messages, 0, fn %{content: c}, acc -> acc + div(byte_size(c), 4) + 4 end)
  end
end

defmodule Aiex.Sample.BudgetTest do
  use ExUnit.Case, async: true

  alias Aiex.Sample.{Budget, Chunk}

  defp words(text), do: text |> String.split() |> length()

  describe "fill/3" do
    test "takes the best chunks that fit and skips the rest" do
      chunks = [
        %Chunk{path: "a.ex", text: "one two three", score: 0.2},
        %Chunk{path: "b.ex", text: "four five", score: 0.9},
        %Chunk{path: "c.ex", text: "six seven eight nine ten", score: 0.5}
      ]

      assert {:partial, budget} = Budget.fill(Budget.new(8, reserve: 1), chunks, &words/1)
      assert Enum.map(budget.taken, & &1.path) == ["b.ex", "c.ex"]
      assert [%Chunk{path: "a.ex"}] = budget.skipped
      assert Budget.available(budget) == 0
    end

    test "an empty list fits" do
      assert {:ok, %Budget{used: 0, taken: []}} = Budget.fill(Budget.new(10), [], &words/1)
    end

    test "a reserve above the limit is refused" do
      assert_raise ArgumentError, ~r/larger than the limit/, fn -> Budget.new(10, reserve: 11) end
    end
  end

  describe "Chunk.split/3" do
    test "breaks at blank lines" do
      source = Enum.map_join(1..10, "\n", &"line #{&1}") <> "\n\n" <> "tail"
      chunks = Chunk.split(source, "x.ex", 8)
      assert Enum.all?(chunks, &(&1.last_line - &1.first_line < 8))
      assert List.last(chunks).text =~ "tail"
    end
  end
end
