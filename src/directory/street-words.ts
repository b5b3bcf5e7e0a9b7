/**
 * Street-type words, house-number designators and unit designators of the languages postguard's customers write
 * in, for address normalisation (src/directory/address.ts).
 *
 * Source: libpostal's address dictionaries (https://github.com/openvenues/libpostal, MIT licence),
 * `resources/dictionaries/<lang>/street_types.txt`, `unit_types_numbered.txt`, `unit_types.txt`, `number.txt`,
 * `house_numbers.txt` and, for Dutch, `concatenated_suffixes_separable.txt`; one line per type,
 * `canonical|abbreviation|abbreviation…` as there. Entries that are several words (`calle privada`) or whose
 * abbreviation holds inner punctuation (`p.za`, `c.so`) are left out: they are never one word of text. The English
 * list is the common subset of libpostal's (its full list maps single letters such as `c`, `d`, `l` to streets, and `la` to lane, the article of es/fr/it).
 * Swedish, Danish and Vietnamese have no street_types.txt in libpostal; their lines follow the national postal
 * conventions (sv: -gatan/g., -vägen/v.; da: -gade/g., -vej/v.; vi: đường/đ., phố/p.).
 */
import { foldLetters } from './fold.js';

/** language → libpostal lines. */
const STREET_TYPES: Record<string, string> = {
  en:
    'alley|aly|ally\navenue|av|ave|aven|avenu|avn|avnu|avnue\nboulevard|blvd|bd|bde|blv|boul|boulv|bvd\nbridge|brdg|brg\n' +
    'broadway|bdwy|bway|bwy\ncircle|cir|circel\ncircuit|crct|circ|cct\nclose|cls|clse\ncourt|ct|crt\ncrescent|cres|crs\n' +
    'drive|dr|drv|dve\nesplanade|esp|espl\nexpressway|expy|expwy\ngardens|gdns\ngrove|grv\nheights|hts|hgts\nhighway|hwy|hway|hgwy\n' +
    'lane|ln\nmews|mws\nparade|pde|prd\npark|pk|prk\nparkway|pkwy|pky|pkway\nplace|pl|plc\nplaza|plz|plza\npromenade|prom\n' +
    'road|rd|raod\nroute|rte\nrow|rw\nsquare|sq|sqr\nstreet|st|str|stre\nterrace|tce|ter|terr\ntrail|trl\nturnpike|tpk|tpke\n' +
    'view|vw\nwalk|wlk\nway|wy',
  de:
    'allee|al\nbahnhof|bhf|bf\nboulevard|bd\nbrücke|br|brucke|bruecke\nchaussee|ch\ndamm\ngasse|g\ngraben|gr\nplatz|pl\n' +
    'ring\nstraße|str|strasse\nufer\nweg|w',
  fr:
    'allée|allee|all\nautoroute|aut\navenue|av|ave|aven|avenu|avn|avnu|avnue\nboulevard|bd|bde|blv|blvd|blvde|blvrd|boul|boulv|bvd|bld\n' +
    'carrefour|carf|carref\nchaussée|chaussee|chs|chee\nchemin|ch|che\ncours|crs\nesplanade|esp\nfaubourg|fbg\nhameau|ham\n' +
    'impasse|imp\nlotissement|lot\nmontée|montee|mte\npassage|pas|psg\nplace|pl\nplateau|plt|plat\npromenade|prom\nquai|qu\n' +
    'résidence|residence|res\nrond-point|rpt|rdpt\nroute|rt|rte\nrue|r\nruelle|rle\nsentier|sent\nsquare|sq\nterrasse|tsse\n' +
    'traverse|tra\nvoie|voi',
  es:
    'acceso|acces\nalameda|alam\nautopista|autop\nautovía|autovia|autov\navenida|av|avd|avda\nbarrio|bo\nbloque|blque|bloq|blq\n' +
    'boulevard|blvd|bvd\nbulevar|bulev|blev|blv|bv\ncalle|c|cl|cll|ca\ncalleja|cllja\ncallejón|callejon|callej|cjón|cjon|cj\n' +
    'calzada|czada|calz\ncamino|cno|cmo|cmno|cm\ncarrera|cra|carra|carr\ncarretera|ctra|cr\ncerrada|cda|cer\ncircuito|cto\n' +
    'costanilla|cstan\ncuesta|custa\ndiagonal|diag\nglorieta|gta\nmuelle|meull\nparque|pque|parq|pq|pqe\npasaje|psaje|psj\n' +
    'paseo|po|pso|pseo|ps\nplaza|pl|plza|pza\nprolongación|prolongacion|prol\npuente|pnte\nrambla|rbla\nronda|rda\nrotonda|rtda\n' +
    'ruta|rta\nsendero|send|sedro\ntransversal|trval|trvsal\ntravesía|travesia|trva\nurbanización|urbanizacion|urb\nvía|via|v',
  it:
    'calle|cle\ncampo|cpo\ncircovallazione|circonvallazione|circonve\ncontrada|contra|cda|cnt\ncorso|cso\ncorte|cte\ncortile|ctile\n' +
    'frazione|fraze|fraz\nlargo|lgo\nlocalità|localita|loc\nlungomare|lre\npiazza|pza|pzza|p\npiazzale|ple\npiazzetta|pta\n' +
    'salita|sal\nstrada|str|stra\ntraversa|trav\nvia|v\nviale|vle|vl\nvicolo|vlo\nvico',
  pt:
    'alameda|al\navenida|av|ava|ave\nazinhaga|az\nbairro|bo|bro\nbeco|bc|bco\ncalçada|calcada|cc\ncaminho|cam|camno\n' +
    'estrada|estr\nlargo|lg|lgo\nlugar|lug\npraça|praca|pç|pc|pça|pca\npraceta|pct|pcta\nquinta|qta\nrodovia|rod|rvia|rdvia\n' +
    'rotunda|rot\nrua|r\nruela\ntravessa|tv|trav|trv\nurbanização|urbanizacao|urb\nviela|ve\nvila|vl',
  nl: 'gracht|gr\nhof\nkade\nlaan|ln\nplein|pln\nsingel|sngl\nstraat|str\nsteenweg|stwg\nverlengde|verl\nvliet|vlt\nweg|wg\ndijk|dk',
  pl: 'aleja|al|aleje\nbulwar|bulw\nosiedle|os\nplac|pl\nrondo\nrynek\nskwer\nszosa\nulica|ul\nwybrzeże|wybrzeze|wyb',
  tr:
    'bulvar|bulvarı|bulvari|bl|blv|bulv\ncadde|caddesi|cd|cad\nsokak|sokağı|sokagi|sk|sok\nyolu|yol\nmeydanı|meydani|mey\n' +
    'mahallesi|mahalle|mah|mh',
  vi: 'đường|duong|đ|d\nphố|pho|p\nngõ|ngo\nhẻm|hem|h\nngách|ngach\nkiệt|kiet|k\nđại lộ',
  sv: 'gatan|gata|g\nvägen|vagen|väg|vag|v\ngränd|grand\ntorget|torg\nallé|alle\nplan\nstigen\nbacken',
  da: 'gade|g\nvej|v\nallé|alle\nplads|pl\nstræde|straede|str\nboulevard|blvd\ntorv',
  // libpostal ru/street_types.txt (Cyrillic and transliterated), plus the hyphenated `пр-т`, `б-р`, `пр-д` (see
  // DOTTED_TYPES)
  ru:
    'аллея|ал\nбульвар|бул|бр\nдорога|дор\nнабережная|наб\nпереулок|пер\nплощадь|пл\nпроезд|пр|прд\nпроспект|просп|пр|прт\n' +
    'линия|лин\nшоссе|ш\nтупик|туп\nулица|ул\nulitsa|ulica|ul\nprospekt|pr\npereulok|per',
};

/**
 * Abbreviations written with an inner dot or hyphen (libpostal it/es/pt/fr street_types.txt: `p.za`, `v.le`,
 * `c.so`, `p.le`, `p.tta`; Russian `пр-т`, `б-р`, `пр-д`): the tokenizer cuts them in two words joined by a single
 * `.` or `-`; address.ts reads such a pair as one word when the joined spelling is listed here.
 */
export const DOTTED_TYPES: ReadonlySet<string> = new Set([
  'pza',
  'pzza',
  'vle',
  'cso',
  'ple',
  'pta',
  'lgo',
  'ava',
  'avda',
  'pso',
  'trav',
  'fraz',
  'loc',
  'прт',
  'бр',
  'прд',
]);

/**
 * Compound suffixes: a street type written into the street's own name (German Hauptstraße, Dutch Kerkstraat,
 * Swedish Storgatan, Danish Nørregade) is folded to the abbreviated compound the same people write (Hauptstr.,
 * Kerkstr., Storg., Nørreg.). Folded spelling → folded abbreviation; applied to words longer than the suffix.
 */
export const COMPOUND_SUFFIXES: readonly (readonly [string, string])[] = [
  ['strasse', 'str'],
  ['strase', 'str'],
  ['straat', 'str'],
  ['gatan', 'g'],
  ['gade', 'g'],
  ['vagen', 'v'],
  ['steenweg', 'stwg'],
];

/**
 * House-number designators written before the number (libpostal number.txt: en, es, fr, it, pt, pl, sv, da,
 * tr unit_types `numara|no`, pl house_numbers `dom|d`; Vietnamese `số`). Folded: `nº` is `n` after the
 * ordinal sign is dropped.
 */
export const NUMBER_DESIGNATORS: ReadonlySet<string> = new Set([
  'n',
  'no',
  'nr',
  'nro',
  'num',
  'numr',
  'numro',
  'numero',
  'numer',
  'nummer',
  'numara',
  'nmro',
  'so',
  'dom',
  'hausnummer',
  'nbr',
  // ru house_numbers: дом|д
  'д',
  'дом',
]);

/**
 * Unit designators written before a unit value (libpostal unit_types_numbered.txt / unit_types.txt of en, de,
 * fr, es, it, pt, nl, pl, tr, sv, da, plus floor words of the level_types files): `D: 4`, `Daire 4`, `m. 4`,
 * `Whg. 3`, `piso 1`, `puerta C`, `lgh 1101`, `bus 2`, `Apt 5B`, `Flat 4`.
 */
export const UNIT_DESIGNATORS: ReadonlySet<string> = new Set([
  // en
  'apartment',
  'apt',
  'ap',
  'flat',
  'fl',
  'unit',
  'un',
  'suite',
  'ste',
  'room',
  'rm',
  'floor',
  'building',
  'bldg',
  'office',
  'ofc',
  // de
  'appartement',
  'app',
  'wohnung',
  'whg',
  'top',
  'zimmer',
  'zi',
  'stock',
  'etage',
  'og',
  'eg',
  'stiege',
  'tur',
  'tuer',
  // fr
  'appt',
  'appart',
  'bat',
  'batiment',
  'esc',
  'escalier',
  'porte',
  'pte',
  'bte',
  'boite',
  // es
  'piso',
  'puerta',
  'pta',
  'departamento',
  'depto',
  'dpto',
  'interior',
  'int',
  'escalera',
  'planta',
  'bloque',
  'portal',
  // it
  'appartamento',
  'interno',
  'scala',
  'sc',
  'piano',
  // pt
  'apartamento',
  'apto',
  'andar',
  'sala',
  'casa',
  'lote',
  'bloco',
  'conj',
  'dto',
  'esq',
  'fte',
  'frente',
  'direito',
  'esquerdo',
  // nl
  'bus',
  'kamer',
  // pl
  'm',
  'mieszkanie',
  'lok',
  'lokal',
  'pok',
  'kl',
  'klatka',
  // tr
  'd',
  'daire',
  'kat',
  'k',
  'blok',
  'apartman',
  'ofis',
  // sv, da
  'lgh',
  'lagenhet',
  'lg',
  'lejl',
  'lejlighed',
  'sal',
  // vi
  'phong',
  'tang',
  'can',
  // ru (libpostal ru/unit_types_numbered.txt; корпус|корп|к and строение|стр are building parts)
  'кв',
  'квартира',
  'оф',
  'офис',
  'пом',
  'помещение',
  'каб',
  'кабинет',
  'лит',
  'литера',
  'корп',
  'корпус',
  'к',
  'стр',
  'строение',
]);

/** Unit words that stand alone after the number (no value): French bis/ter, Dutch huis. */
export const UNIT_WORDS: ReadonlySet<string> = new Set([
  'bis',
  'ter',
  'quater',
  'hs',
  'huis',
  'bg',
  'beneden',
  'tv',
  'th',
  'mf',
  'st',
  'izq',
  'izda',
  'dcha',
  'dch',
  'dto',
  'esq',
  'links',
  'rechts',
]);

/** Unit words with one meaning and several spellings, folded to one (Dutch `huis` = `hs`, `beneden` = `bg`). */
export const UNIT_WORD_CANON: ReadonlyMap<string, string> = new Map([
  ['huis', 'hs'],
  ['beneden', 'bg'],
]);

/**
 * Particles that do not name a street on their own (`de la`, `am`, `van`): a street whose words left after dropping
 * its type words are only particles keeps its type words in the key (`Am Hof 5` stays `am hof 5`).
 */
export const PARTICLES: ReadonlySet<string> = new Set([
  'de',
  'del',
  'la',
  'las',
  'los',
  'el',
  'di',
  'da',
  'do',
  'dos',
  'das',
  'du',
  'des',
  'le',
  'les',
  'l',
  'y',
  'e',
  'i',
  'am',
  'an',
  'auf',
  'im',
  'in',
  'zum',
  'zur',
  'der',
  'die',
  'den',
  'van',
  'von',
  'het',
  't',
  'op',
  'of',
  'the',
  'a',
  'della',
  'dello',
  'degli',
  'dei',
]);

/** Districts: a street written after its neighbourhood (Turkish `Atatürk Mah. Cumhuriyet Cad.`). */
export const DISTRICT_WORDS: ReadonlySet<string> = new Set(['mahallesi', 'mahalle', 'mah', 'mh']);

/** The canonical word of every street-type class (not the directionals): what `streetKey` drops. */
export const TYPE_CLASSES = new Set<string>();

/** Directionals kept from postguard's earlier table (folded to one letter). */
const DIRECTIONALS: Record<string, string> = { north: 'n', south: 's', east: 'e', west: 'w' };

/**
 * Folded street-type word → its class's canonical word. Every spelling and abbreviation of one type, in every
 * language, maps to that type's canonical form; types of several languages that share an abbreviation (`av`:
 * avenue, avenida; `r`: rue, rua; `str`: straße, straat, strada, street) are merged into one class (union-find), so
 * `R. Augusta`, `Rua Augusta` and `Rue Augusta` are one key. A merged class is harmless: the street's other words
 * and the number must still match, and strength needs the customer's own postal code or city.
 */
export const STREET_TYPE: ReadonlyMap<string, string> = (() => {
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    let r = x;
    while (parent.get(r) !== r) r = parent.get(r)!;
    parent.set(x, r);
    return r;
  };
  const add = (x: string): void => {
    if (!parent.has(x)) parent.set(x, x);
  };
  const union = (a: string, b: string): void => {
    const ra = find(a);
    const rb = find(b);
    if (ra === rb) return;
    // the shorter canonical wins (stable, and keeps keys short)
    if (rb.length < ra.length || (rb.length === ra.length && rb < ra)) parent.set(ra, rb);
    else parent.set(rb, ra);
  };
  for (const lines of Object.values(STREET_TYPES)) {
    for (const line of lines.split('\n')) {
      const forms = line
        .split('|')
        .map((w) => foldLetters(w))
        .filter((f) => f && /^[\p{L}\p{N}]+$/u.test(f));
      if (forms.length === 0) continue;
      for (const f of forms) add(f);
      for (const f of forms.slice(1)) union(forms[0]!, f);
    }
  }
  const out = new Map<string, string>();
  for (const w of parent.keys()) out.set(w, find(w));
  for (const w of parent.keys()) TYPE_CLASSES.add(find(w));
  for (const [w, c] of Object.entries(DIRECTIONALS)) {
    out.set(w, c);
    if (!out.has(c)) out.set(c, c);
  }
  return out;
})();
