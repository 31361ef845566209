/** Walks a page/limit listing until the last page; each page is one request, made only when needed. */
export async function* paginate<Page, Item>(
  fetchPage: (page: number) => Promise<Page>,
  items: (page: Page) => Item[],
  totalPages: (page: Page) => number,
): AsyncGenerator<Item> {
  for (let page = 1; ; page += 1) {
    const result = await fetchPage(page);
    yield* items(result);
    if (page >= totalPages(result) || items(result).length === 0) return;
  }
}
